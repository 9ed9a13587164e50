package dev.skiff.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snapshotter choice, against real mounts (as root). */
class SnapshottersIT {
  private Path dir;
  private Path merged;

  @BeforeEach
  void createDir() throws Exception {
    dir = Files.createTempDirectory("skiff-snap-");
  }

  @AfterEach
  void removeDir() throws Exception {
    if (merged != null) {
      run("umount", merged.toString());
    }
    run("rm", "-rf", dir.toString());
  }

  private static int run(String... command) throws Exception {
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }

  @Test
  void overlayfsWhereAnOverlayMountWorks() {
    assertThat(Snapshotters.detect(dir.resolve("root"))).isEqualTo(Snapshotters.OVERLAYFS);
    // the check leaves nothing behind
    assertThat(dir.resolve("root")).isEmptyDirectory();
  }

  @Test
  void nativeOnAFilesystemThatCannotHoldOverlayUpperDirectories() throws Exception {
    for (String d : List.of("lower", "upper", "work", "merged")) {
      Files.createDirectories(dir.resolve(d));
    }
    merged = dir.resolve("merged");
    int mounted =
        run(
            "mount",
            "-t",
            "overlay",
            "overlay",
            "-o",
            "lowerdir="
                + dir.resolve("lower")
                + ",upperdir="
                + dir.resolve("upper")
                + ",workdir="
                + dir.resolve("work"),
            merged.toString());
    assertThat(mounted).isZero();

    // an overlay whose upper directory is itself on overlayfs is refused by the kernel
    assertThat(Snapshotters.detect(merged.resolve("root"))).isEqualTo(Snapshotters.NATIVE);
  }
}
