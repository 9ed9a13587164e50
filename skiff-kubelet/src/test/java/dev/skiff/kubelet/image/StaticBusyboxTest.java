package dev.skiff.kubelet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static busybox of Debian's busybox-static (installed by ./run-tests) and what is refused. */
class StaticBusyboxTest {
  @TempDir Path dir;

  @Test
  void acceptsTheStaticBusyboxAndListsItsApplets() {
    assertThat(StaticBusybox.require(StaticBusybox.DEFAULT_PATH))
        .isEqualTo(StaticBusybox.DEFAULT_PATH);
    assertThat(StaticBusybox.applets(StaticBusybox.DEFAULT_PATH))
        .contains("sh", "ls", "cat", "echo", "sleep", "wget", "httpd", "nc")
        .doesNotContain("busybox")
        .isSorted();
  }

  @Test
  void refusesADynamicExecutableWithAnInstallHint() {
    // the JVM's own launcher is dynamically linked against libc
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    assertThatThrownBy(() -> StaticBusybox.require(java))
        .hasMessageContaining("dynamically linked")
        .hasMessageContaining("apt-get install busybox-static");
  }

  @Test
  void missingOrNonElfFilesAreReported() throws Exception {
    assertThatThrownBy(() -> StaticBusybox.require(dir.resolve("busybox")))
        .hasMessage(
            "static busybox not found at "
                + dir.resolve("busybox")
                + " (install it with: apt-get install busybox-static)");
    Path script = Files.writeString(dir.resolve("script"), "#!/bin/sh\n".repeat(10));
    assertThatThrownBy(() -> StaticBusybox.require(script))
        .hasMessageContaining("not a 64-bit ELF executable");
  }

  @Test
  void busyboxImageLinksEveryAppletAndHasUsers() {
    java.util.Map<String, TarEntries.Entry> archive =
        TarEntries.read(BusyboxImage.builder(StaticBusybox.DEFAULT_PATH).toBytes());
    TarEntries.Entry layerBlob =
        archive.values().stream()
            .filter(e -> e.name().startsWith("blobs/sha256/") && e.content().length > 100_000)
            .findFirst()
            .orElseThrow();
    java.util.Map<String, TarEntries.Entry> layer =
        TarEntries.read(TarEntries.gunzip(layerBlob.content()));

    assertThat(layer.get("bin/busybox").mode()).isEqualTo(0755);
    assertThat(layer.get("bin/sh").linkName()).isEqualTo("busybox");
    assertThat(layer.get("bin/httpd").linkName()).isEqualTo("busybox");
    assertThat(layer.get("tmp/").mode()).isEqualTo(01777);
    assertThat(layer.get("etc/passwd").text())
        .contains("root:x:0:0:")
        .contains("nobody:x:65534:65534:");
  }

  @Test
  void pauseImageHoldsOnlyBusyboxAndTheSleepLoop() {
    java.util.Map<String, TarEntries.Entry> archive =
        TarEntries.read(PauseImage.builder(StaticBusybox.DEFAULT_PATH).toBytes());

    assertThat(archive.get("index.json").text()).contains("\"skiff.local/pause:3.10\"");
    assertThat(archive.values().stream().map(TarEntries.Entry::text))
        .anySatisfy(text -> assertThat(text).contains("trap 'exit 0' TERM INT"));
  }
}
