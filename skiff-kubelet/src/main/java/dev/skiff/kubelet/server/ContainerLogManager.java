package dev.skiff.kubelet.server;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.Container;
import dev.skiff.kubelet.cri.v1.ContainerStatus;
import dev.skiff.kubelet.cri.v1.ReopenContainerLogRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the CRI log files of running containers as the kubelet does: every {@link #PERIOD} a file
 * larger than {@code --container-log-max-size} is renamed to {@code <file>.<yyyyMMdd-HHmmss>} and
 * the runtime reopens its log; at most {@code --container-log-max-files} files (the current one
 * included) are kept per container.
 */
public final class ContainerLogManager implements AutoCloseable {
  public static final Duration PERIOD = Duration.ofSeconds(10);
  public static final long DEFAULT_MAX_SIZE = 10L * 1024 * 1024;
  public static final int DEFAULT_MAX_FILES = 5;

  private static final Logger LOG = LoggerFactory.getLogger(ContainerLogManager.class);
  private static final DateTimeFormatter SUFFIX =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final Pattern ROTATED_SUFFIX = Pattern.compile("\\.\\d{8}-\\d{6}(\\.\\d+)?$");

  private final CriClient cri;
  private final CriContainers containers;
  private final long maxSize;
  private final int maxFiles;
  private final InstantSource clock;
  private volatile Thread loop;

  public ContainerLogManager(CriClient cri, long maxSize, int maxFiles) {
    this(cri, maxSize, maxFiles, InstantSource.system());
  }

  ContainerLogManager(CriClient cri, long maxSize, int maxFiles, InstantSource clock) {
    if (maxFiles < 2) {
      throw new IllegalArgumentException("--container-log-max-files must be at least 2");
    }
    if (maxSize <= 0) {
      throw new IllegalArgumentException("--container-log-max-size must be positive");
    }
    this.cri = cri;
    this.containers = new CriContainers(cri);
    this.maxSize = maxSize;
    this.maxFiles = maxFiles;
    this.clock = clock;
  }

  /** Rotates every {@link #PERIOD} on a virtual thread until {@link #close()}. */
  public synchronized void start() {
    if (loop != null) {
      return;
    }
    loop =
        Thread.ofVirtual()
            .name("container-log-rotation")
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    try {
                      rotateAll();
                      Thread.sleep(PERIOD);
                    } catch (InterruptedException e) {
                      return;
                    } catch (RuntimeException e) {
                      LOG.warn("container log rotation failed error={}", e.toString());
                    }
                  }
                });
  }

  /** One pass over the running containers. */
  public void rotateAll() {
    for (Container container : containers.running()) {
      Optional<ContainerStatus> status = containers.status(container.getId());
      if (status.isEmpty() || status.get().getLogPath().isEmpty()) {
        continue;
      }
      try {
        rotateIfNeeded(container.getId(), Path.of(status.get().getLogPath()));
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "cannot rotate container log container={} path={} error={}",
            container.getId(),
            status.get().getLogPath(),
            e.toString());
      }
    }
  }

  /** Rotates one container's log if it has grown past the limit; true when it did. */
  boolean rotateIfNeeded(String containerId, Path logPath) throws IOException {
    if (!Files.exists(logPath) || Files.size(logPath) <= maxSize) {
      removeExcess(logPath, maxFiles - 1);
      return false;
    }
    // room for the file about to be rotated
    removeExcess(logPath, maxFiles - 2);
    Path target =
        logPath.resolveSibling(logPath.getFileName() + "." + SUFFIX.format(clock.instant()));
    for (int i = 1; Files.exists(target); i++) {
      target =
          logPath.resolveSibling(
              logPath.getFileName() + "." + SUFFIX.format(clock.instant()) + "." + i);
    }
    Files.move(logPath, target);
    try {
      cri.runtime()
          .reopenContainerLog(
              ReopenContainerLogRequest.newBuilder().setContainerId(containerId).build());
    } catch (RuntimeException e) {
      // the runtime still writes to the renamed file: put it back so nothing is lost
      if (!Files.exists(logPath)) {
        Files.move(target, logPath);
      }
      throw e;
    }
    LOG.info("rotated container log container={} file={}", containerId, target);
    return true;
  }

  /** The rotated files of a log, oldest first. */
  public static List<Path> rotatedFiles(Path logPath) {
    List<Path> files = new ArrayList<>();
    Path dir = logPath.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return files;
    }
    String prefix = logPath.getFileName() + ".";
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path file : stream) {
        String name = file.getFileName().toString();
        if (name.startsWith(prefix)
            && ROTATED_SUFFIX.matcher(name.substring(prefix.length() - 1)).matches()) {
          files.add(file);
        }
      }
    } catch (IOException e) {
      return files;
    }
    files.sort(ContainerLogManager::compareRotated);
    return files;
  }

  private static int compareRotated(Path a, Path b) {
    String[] x = a.getFileName().toString().split("\\.");
    String[] y = b.getFileName().toString().split("\\.");
    int byName = a.getFileName().toString().compareTo(b.getFileName().toString());
    // "<log>.<stamp>" sorts before "<log>.<stamp>.1" already; only numeric suffixes need care
    if (x.length == y.length && x.length > 0) {
      String lastX = x[x.length - 1];
      String lastY = y[y.length - 1];
      if (lastX.length() < 8 && lastY.length() < 8) {
        int prefix =
            String.join(".", List.of(x).subList(0, x.length - 1))
                .compareTo(String.join(".", List.of(y).subList(0, y.length - 1)));
        if (prefix == 0) {
          return Integer.compare(Integer.parseInt(lastX), Integer.parseInt(lastY));
        }
      }
    }
    return byName;
  }

  private static void removeExcess(Path logPath, int keep) throws IOException {
    List<Path> rotated = rotatedFiles(logPath);
    for (int i = 0; i < rotated.size() - Math.max(keep, 0); i++) {
      Files.deleteIfExists(rotated.get(i));
    }
  }

  @Override
  public synchronized void close() {
    Thread running = loop;
    loop = null;
    if (running != null) {
      running.interrupt();
    }
  }
}
