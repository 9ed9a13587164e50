package dev.skiff.kubelet.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks containerd's snapshotter: {@code overlayfs} when an overlay mount works on the filesystem
 * that holds containerd's root (not on e.g. an overlay root inside a container or on some network
 * filesystems), {@code native} (plain copies, slower and bigger) otherwise. The check is what
 * containerd's overlay plugin does before it registers: mount an overlay with two lower layers.
 */
public final class Snapshotters {
  public static final String OVERLAYFS = "overlayfs";
  public static final String NATIVE = "native";

  private static final Logger log = LoggerFactory.getLogger(Snapshotters.class);

  private Snapshotters() {}

  /** The snapshotter for a containerd root directory (created if needed). */
  public static String detect(Path rootDir) {
    try {
      if (!Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n")) {
        return NATIVE;
      }
      Files.createDirectories(rootDir);
      Path check = Files.createTempDirectory(rootDir, "overlay-check");
      try {
        for (String d : List.of("lower1", "lower2", "upper", "work", "merged")) {
          Files.createDirectories(check.resolve(d));
        }
        String options =
            "lowerdir="
                + check.resolve("lower2")
                + ":"
                + check.resolve("lower1")
                + ",upperdir="
                + check.resolve("upper")
                + ",workdir="
                + check.resolve("work");
        Path merged = check.resolve("merged");
        if (run("mount", "-t", "overlay", "overlay", "-o", options, merged.toString())) {
          run("umount", merged.toString());
          return OVERLAYFS;
        }
        log.warn("event=overlay_unsupported root={} snapshotter=native", rootDir);
        return NATIVE;
      } finally {
        deleteTree(check);
      }
    } catch (IOException e) {
      log.warn("event=overlay_check_failed root={} error=\"{}\"", rootDir, e.getMessage());
      return NATIVE;
    }
  }

  private static boolean run(String... command) throws IOException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return false;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
