package dev.skiff.kubelet.volume;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes the files of a configMap, secret, downwardAPI or projected volume so that a running
 * container sees either the old or the new content, never a mix: Kubernetes' layout of a
 * timestamped directory holding the files, a {@code ..data} symlink to it that is swapped by one
 * rename, and one user-visible symlink per top-level path pointing into {@code ..data}.
 */
public final class AtomicWriter {
  static final String DATA_DIR = "..data";
  static final String DATA_DIR_TMP = "..data_tmp";
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss'.'").withZone(ZoneOffset.UTC);

  /** One file of the payload: its bytes and permission bits (e.g. 0644). */
  public record FileProjection(byte[] data, int mode) {
    public FileProjection {
      Objects.requireNonNull(data, "data");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FileProjection other
          && mode == other.mode
          && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(data) + mode;
    }

    @Override
    public String toString() {
      return "FileProjection[" + data.length + " bytes, mode=" + Integer.toOctalString(mode) + "]";
    }
  }

  private final Path targetDir;
  private final InstantSource clock;

  public AtomicWriter(Path targetDir) {
    this(targetDir, InstantSource.system());
  }

  AtomicWriter(Path targetDir, InstantSource clock) {
    this.targetDir = targetDir;
    this.clock = clock;
  }

  /**
   * Makes the target directory show exactly {@code payload} (relative path → file).
   *
   * @return whether anything changed
   * @throws IllegalArgumentException for a path that is absolute, empty or climbs out with {@code
   *     ..}
   */
  public boolean write(Map<String, FileProjection> payload) throws IOException {
    Map<String, FileProjection> clean = new TreeMap<>();
    for (Map.Entry<String, FileProjection> entry : payload.entrySet()) {
      clean.put(validatePath(entry.getKey()), entry.getValue());
    }
    Files.createDirectories(targetDir);
    Path dataLink = targetDir.resolve(DATA_DIR);
    Path oldTsDir = null;
    if (Files.isSymbolicLink(dataLink)) {
      oldTsDir = targetDir.resolve(Files.readSymbolicLink(dataLink).toString());
      if (!Files.isDirectory(oldTsDir)) {
        oldTsDir = null;
      }
    }
    Set<String> newVisible = visiblePaths(clean.keySet());
    if (oldTsDir != null && read(oldTsDir).equals(clean) && allVisibleLinksExist(newVisible)) {
      return false;
    }
    Set<String> oldVisible = oldTsDir == null ? Set.of() : visiblePaths(read(oldTsDir).keySet());

    Path tsDir = Files.createTempDirectory(targetDir, TIMESTAMP.format(clock.instant()));
    Files.setPosixFilePermissions(tsDir, permissions(0755));
    for (Map.Entry<String, FileProjection> entry : clean.entrySet()) {
      Path file = tsDir.resolve(entry.getKey());
      createDirectories(tsDir, file.getParent());
      Files.write(file, entry.getValue().data());
      Files.setPosixFilePermissions(file, permissions(entry.getValue().mode()));
    }

    Path tmpLink = targetDir.resolve(DATA_DIR_TMP);
    Files.deleteIfExists(tmpLink);
    Files.createSymbolicLink(tmpLink, tsDir.getFileName());
    Files.move(tmpLink, dataLink, StandardCopyOption.ATOMIC_MOVE);

    for (String visible : newVisible) {
      Path link = targetDir.resolve(visible);
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of(DATA_DIR, visible));
      }
    }
    for (String visible : oldVisible) {
      if (!newVisible.contains(visible)) {
        Files.deleteIfExists(targetDir.resolve(visible));
      }
    }
    if (oldTsDir != null && !oldTsDir.equals(tsDir)) {
      deleteTree(oldTsDir);
    }
    removeStaleTimestampDirs(tsDir);
    return true;
  }

  private void removeStaleTimestampDirs(Path current) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(targetDir, "..[0-9]*")) {
      for (Path entry : entries) {
        if (!entry.equals(current) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(entry);
        }
      }
    }
  }

  private boolean allVisibleLinksExist(Set<String> visible) {
    for (String path : visible) {
      if (!Files.exists(targetDir.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
    }
    return true;
  }

  private static void createDirectories(Path root, Path dir) throws IOException {
    if (dir == null || dir.equals(root) || Files.isDirectory(dir)) {
      return;
    }
    createDirectories(root, dir.getParent());
    Files.createDirectory(dir);
    Files.setPosixFilePermissions(dir, permissions(0755));
  }

  /** The files under a timestamped directory, as a payload. */
  private static Map<String, FileProjection> read(Path tsDir) throws IOException {
    Map<String, FileProjection> files = new HashMap<>();
    Files.walkFileTree(
        tsDir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile()) {
              files.put(
                  tsDir.relativize(file).toString(),
                  new FileProjection(
                      Files.readAllBytes(file), mode(Files.getPosixFilePermissions(file))));
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return files;
  }

  private static Set<String> visiblePaths(Set<String> paths) {
    Set<String> visible = new LinkedHashSet<>();
    for (String path : paths) {
      int slash = path.indexOf('/');
      visible.add(slash < 0 ? path : path.substring(0, slash));
    }
    return visible;
  }

  static String validatePath(String path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("invalid path: must not be empty");
    }
    if (path.startsWith("/")) {
      throw new IllegalArgumentException("invalid path: must be relative path: " + path);
    }
    if (path.startsWith("..")) {
      throw new IllegalArgumentException("invalid path: must not start with '..': " + path);
    }
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        throw new IllegalArgumentException("invalid path: must not contain '..': " + path);
      }
    }
    return Path.of(path).normalize().toString();
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }

  static int mode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission permission : permissions) {
      mode |=
          switch (permission) {
            case OTHERS_EXECUTE -> 01;
            case OTHERS_WRITE -> 02;
            case OTHERS_READ -> 04;
            case GROUP_EXECUTE -> 010;
            case GROUP_WRITE -> 020;
            case GROUP_READ -> 040;
            case OWNER_EXECUTE -> 0100;
            case OWNER_WRITE -> 0200;
            case OWNER_READ -> 0400;
          };
    }
    return mode;
  }

  /** Deletes a directory tree without following symlinks out of it. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            if (exc != null) {
              throw exc;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
