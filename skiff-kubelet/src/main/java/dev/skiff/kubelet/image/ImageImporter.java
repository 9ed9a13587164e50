package dev.skiff.kubelet.image;

import dev.skiff.kubelet.cri.CriClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manages the images of a node's containerd in the {@code k8s.io} namespace, the one CRI serves,
 * through containerd's own {@code ctr} (as {@code k3s ctr images import} does): imports OCI and
 * Docker archives (plain or gzipped), lists and removes images, and makes sure the pause image
 * Skiff builds itself is present. Imported images are unpacked into the snapshotter CRI uses, so a
 * container can start from them at once.
 */
public final class ImageImporter {
  /** The containerd namespace of CRI's images and containers. */
  public static final String NAMESPACE = "k8s.io";

  public static final String DEFAULT_SNAPSHOTTER = "overlayfs";

  private static final Logger log = LoggerFactory.getLogger(ImageImporter.class);

  private final String ctr;
  private final String snapshotter;
  private final Duration timeout;

  /** {@code ctr} from the PATH, the overlayfs snapshotter, five minutes per command. */
  public ImageImporter() {
    this("ctr", DEFAULT_SNAPSHOTTER, Duration.ofMinutes(5));
  }

  public ImageImporter(String ctr, String snapshotter, Duration timeout) {
    this.ctr = ctr;
    this.snapshotter = snapshotter;
    this.timeout = timeout;
  }

  /** True for the archive names imported from an images directory: .tar, .tar.gz, .tgz. */
  public static boolean isArchive(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".tar") || name.endsWith(".tar.gz") || name.endsWith(".tgz");
  }

  /**
   * Imports one archive and returns the image names it created (e.g. {@code
   * skiff.local/busybox:1.36}).
   */
  public List<String> importArchive(Path file, String socket) {
    if (!Files.isRegularFile(file)) {
      throw new ImageStoreException("image archive " + file + " does not exist");
    }
    List<String> command = ctr(socket, "images", "import", "--all-platforms");
    command.add("--snapshotter");
    command.add(snapshotter);
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean gzipped = name.endsWith(".gz") || name.endsWith(".tgz");
    command.add(gzipped ? "-" : file.toString());
    String output = run(command, gzipped ? file : null, "import " + file);
    List<String> images =
        output
            .lines()
            .filter(line -> line.startsWith("unpacking "))
            .map(line -> line.substring("unpacking ".length()))
            .map(line -> line.contains(" (") ? line.substring(0, line.indexOf(" (")) : line)
            .toList();
    log.info("imported image archive file={} images={}", file, images);
    return images;
  }

  /**
   * Imports every archive ({@code .tar}, {@code .tar.gz}, {@code .tgz}) in {@code dir}, in name
   * order, as the agent does at start with {@code <data-dir>/agent/images}; a missing directory
   * imports nothing. One bad archive does not stop the others: its error is logged and the
   * exception of the first failure is thrown after the rest were imported.
   *
   * @return the image names created
   */
  public List<String> importDirectory(Path dir, String socket) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> archives;
    try (Stream<Path> files = Files.list(dir)) {
      archives =
          files.filter(Files::isRegularFile).filter(ImageImporter::isArchive).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    List<String> images = new ArrayList<>();
    ImageStoreException first = null;
    for (Path archive : archives) {
      try {
        images.addAll(importArchive(archive, socket));
      } catch (ImageStoreException e) {
        log.warn("image archive not imported file={} error={}", archive, e.getMessage());
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
    return images;
  }

  /** The names of the images in containerd's {@code k8s.io} namespace, sorted. */
  public List<String> list(String socket) {
    return run(ctr(socket, "images", "ls", "-q"), null, "list images")
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .sorted()
        .toList();
  }

  /** {@code ctr images ls} as a table: REF, TYPE, DIGEST, SIZE, PLATFORMS, LABELS. */
  public String table(String socket) {
    return run(ctr(socket, "images", "ls"), null, "list images");
  }

  /**
   * Removes images by name. Names containerd does not know are skipped and reported afterwards in
   * one {@link ImageStoreException} (the others are removed).
   */
  public void remove(String socket, List<String> references) {
    if (references.isEmpty()) {
      return;
    }
    List<String> present = list(socket);
    List<String> missing = references.stream().filter(ref -> !present.contains(ref)).toList();
    List<String> existing = references.stream().filter(present::contains).distinct().toList();
    if (!existing.isEmpty()) {
      List<String> command = ctr(socket, "images", "rm");
      command.addAll(existing);
      run(command, null, "remove " + String.join(" ", existing));
      log.info("removed images images={}", existing);
    }
    if (!missing.isEmpty()) {
      throw new ImageStoreException("image not found: " + String.join(", ", missing));
    }
  }

  /**
   * Builds the pause image from the host's static busybox and imports it, unless containerd has it
   * already.
   *
   * @return true if it was imported now
   */
  public boolean ensurePauseImage(String socket) {
    if (list(socket).contains(PauseImage.REFERENCE)) {
      return false;
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("skiff-pause-");
      Path archive = PauseImage.write(dir.resolve("pause.tar")).file();
      importArchive(archive, socket);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the pause image", e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private List<String> ctr(String socket, String... args) {
    Path path = CriClient.socketPath(socket);
    if (!Files.exists(path)) {
      throw new ImageStoreException("containerd socket " + path + " does not exist");
    }
    List<String> command = new ArrayList<>();
    command.add(ctr);
    command.add("--address");
    command.add(path.toString());
    command.add("--namespace");
    command.add(NAMESPACE);
    command.addAll(List.of(args));
    return command;
  }

  /** Runs ctr and returns its output, feeding {@code gzippedInput} decompressed to its stdin. */
  private String run(List<String> command, Path gzippedInput, String what) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new ImageStoreException(
          "cannot run " + ctr + " (it ships with containerd: apt-get install containerd)", e);
    }
    CompletableFuture<String> output = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (InputStream in = process.getInputStream()) {
                output.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                output.completeExceptionally(e);
              }
            });
    try {
      try (OutputStream stdin = process.getOutputStream()) {
        if (gzippedInput != null) {
          try (InputStream in = new GZIPInputStream(Files.newInputStream(gzippedInput))) {
            in.transferTo(stdin);
          }
        }
      } catch (IOException e) {
        if (gzippedInput != null && process.isAlive()) {
          process.destroyForcibly();
          throw new ImageStoreException("cannot read " + gzippedInput + ": " + e.getMessage(), e);
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new ImageStoreException(what + ": ctr did not finish within " + timeout);
      }
      String text = output.get(10, TimeUnit.SECONDS);
      if (process.exitValue() != 0) {
        throw new ImageStoreException(what + ": " + lastLine(text));
      }
      return text;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ImageStoreException(what + ": interrupted", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new ImageStoreException(what + ": cannot read ctr's output", e);
    }
  }

  private static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    String last = lines.isEmpty() ? "ctr failed without output" : lines.getLast();
    // ctr prints "ctr: <error>"; the caller adds its own context
    return last.startsWith("ctr: ") ? last.substring(5) : last;
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
