package dev.skiff.kubelet.volume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's half of the built-in local-path provisioner. The controller manager deletes a
 * local-path PersistentVolume (reclaim policy Delete) once its claim is gone, but cannot reach the
 * node's disk; so the kubelet notes (one file per volume under its state directory) the directory
 * of every local-path volume a pod here mounted, and removes the directory once the API server no
 * longer has the volume and no pod here uses it.
 */
public final class LocalPathVolumes {
  static final String PROVISIONER = "rancher.io/local-path";
  static final String ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
  private static final Logger log = LoggerFactory.getLogger(LocalPathVolumes.class);

  private final Path stateDir;
  private final Predicate<String> volumeExists;
  private final InstantSource clock;
  private final Duration minInterval;
  private Instant lastSweep = Instant.MIN;

  /**
   * @param volumeExists whether the API server still has the named volume; true when unsure
   * @param minInterval the least time between two sweeps by {@link #maybeSweep}
   */
  LocalPathVolumes(
      Path stateDir, Predicate<String> volumeExists, InstantSource clock, Duration minInterval) {
    this.stateDir = stateDir;
    this.volumeExists = volumeExists;
    this.clock = clock;
    this.minInterval = minInterval;
  }

  /** Asks the API server: a volume is gone only on 404; any other failure counts as present. */
  static Predicate<String> existsIn(KubernetesClient client) {
    return name -> {
      try {
        return client.persistentVolumes().withName(name).get() != null;
      } catch (KubernetesClientException e) {
        return true;
      }
    };
  }

  /** Notes the directory of a local-path volume; other volumes are ignored. */
  void remember(PersistentVolume volume) throws IOException {
    Map<String, String> annotations = volume.getMetadata().getAnnotations();
    if (annotations == null
        || !PROVISIONER.equals(annotations.get(ANN_PROVISIONED_BY))
        || volume.getSpec() == null
        || volume.getSpec().getHostPath() == null) {
      return;
    }
    String name = volume.getMetadata().getName();
    Path directory = Path.of(volume.getSpec().getHostPath().getPath());
    // only a directory named after the volume, as the provisioner makes them, is ever removed
    if (directory.getFileName() == null
        || !directory.getFileName().toString().startsWith(name + "_")) {
      return;
    }
    Files.createDirectories(stateDir);
    Path note = stateDir.resolve(name);
    if (!Files.exists(note)) {
      Files.writeString(note, directory.toString(), StandardCharsets.UTF_8);
    }
  }

  /**
   * {@link #sweep}, unless {@code force} is false and one ran within the minimum interval; failures
   * are logged.
   */
  synchronized void maybeSweep(Set<Path> inUse, boolean force) {
    Instant now = clock.instant();
    if (!force && lastSweep.plus(minInterval).isAfter(now)) {
      return;
    }
    lastSweep = now;
    try {
      sweep(inUse);
    } catch (IOException e) {
      log.warn("local-path sweep failed dir={} error={}", stateDir, e.getMessage());
    }
  }

  /**
   * Removes the directories of noted volumes the API server no longer has, unless a pod here still
   * uses them.
   *
   * @return the directories removed
   */
  synchronized List<Path> sweep(Set<Path> inUse) throws IOException {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(stateDir)) {
      return removed;
    }
    try (DirectoryStream<Path> notes = Files.newDirectoryStream(stateDir)) {
      for (Path note : notes) {
        String name = note.getFileName().toString();
        Path directory = Path.of(Files.readString(note, StandardCharsets.UTF_8).strip());
        if (inUse.contains(directory) || volumeExists.test(name)) {
          continue;
        }
        AtomicWriter.deleteTree(directory);
        Files.deleteIfExists(note);
        log.info("local-path volume directory removed volume={} path={}", name, directory);
        removed.add(directory);
      }
    }
    return removed;
  }
}
