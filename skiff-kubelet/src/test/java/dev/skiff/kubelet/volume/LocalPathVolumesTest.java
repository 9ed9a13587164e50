package dev.skiff.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPathVolumesTest {
  @TempDir Path temp;
  private final Set<String> apiVolumes = new HashSet<>();

  private LocalPathVolumes volumes() {
    return new LocalPathVolumes(
        temp.resolve("state"),
        apiVolumes::contains,
        InstantSource.fixed(Instant.parse("2026-11-25T10:00:00Z")),
        Duration.ofSeconds(30));
  }

  private Path volumeDir(String volume) throws IOException {
    Path dir = temp.resolve("storage").resolve(volume + "_app_data");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("file"), "written by a pod");
    return dir;
  }

  private static PersistentVolume localPath(String name, Path dir, String provisioner) {
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName(name)
        .withAnnotations(
            provisioner == null ? Map.of() : Map.of("pv.kubernetes.io/provisioned-by", provisioner))
        .endMetadata()
        .withNewSpec()
        .withNewHostPath()
        .withPath(dir.toString())
        .withType("DirectoryOrCreate")
        .endHostPath()
        .endSpec()
        .build();
  }

  @Test
  void directoryOfADeletedLocalPathVolumeIsRemovedOnce() throws IOException {
    Path dir = volumeDir("pvc-1");
    LocalPathVolumes volumes = volumes();
    apiVolumes.add("pvc-1");
    volumes.remember(localPath("pvc-1", dir, "rancher.io/local-path"));

    assertThat(volumes.sweep(Set.of())).isEmpty();
    assertThat(dir).exists();

    apiVolumes.remove("pvc-1");
    assertThat(volumes.sweep(Set.of())).containsExactly(dir);
    assertThat(dir).doesNotExist();
    assertThat(volumes.sweep(Set.of())).isEmpty();
  }

  @Test
  void directoryStillMountedByAPodStays() throws IOException {
    Path dir = volumeDir("pvc-2");
    LocalPathVolumes volumes = volumes();
    volumes.remember(localPath("pvc-2", dir, "rancher.io/local-path"));

    assertThat(volumes.sweep(Set.of(dir))).isEmpty();
    assertThat(dir).exists();
    assertThat(volumes.sweep(Set.of())).containsExactly(dir);
  }

  @Test
  void otherVolumesAndOddlyNamedDirectoriesAreNeverNoted() throws IOException {
    Path staticDir = volumeDir("static");
    Path odd = temp.resolve("storage").resolve("shared");
    Files.createDirectories(odd);
    LocalPathVolumes volumes = volumes();
    volumes.remember(localPath("static", staticDir, null));
    volumes.remember(localPath("pvc-3", odd, "rancher.io/local-path"));

    assertThat(volumes.sweep(Set.of())).isEmpty();
    assertThat(staticDir).exists();
    assertThat(odd).exists();
  }

  @Test
  void sweepsAtMostOncePerIntervalUnlessForced() throws IOException {
    Path first = volumeDir("pvc-4");
    LocalPathVolumes volumes = volumes();
    volumes.remember(localPath("pvc-4", first, "rancher.io/local-path"));
    volumes.maybeSweep(Set.of(), false);
    assertThat(first).doesNotExist();

    Path second = volumeDir("pvc-5");
    volumes.remember(localPath("pvc-5", second, "rancher.io/local-path"));
    volumes.maybeSweep(Set.of(), false);
    // the clock has not moved: the second sweep waits for the interval, unless forced
    assertThat(second).exists();
    volumes.maybeSweep(Set.of(), true);
    assertThat(second).doesNotExist();
  }
}
