package dev.skiff.kubelet.volume;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The {@code hostPath.type} check Kubernetes runs before mounting a host path: the {@code
 * *OrCreate} types create what is missing (a 0755 directory with its parents, or an empty 0644 file
 * whose parent must exist), the others require the path to be of that kind.
 */
public final class HostPathTypes {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFREG = 0100000;

  private HostPathTypes() {}

  /**
   * @param type the hostPath type; null or empty skips the check
   * @throws IOException with Kubernetes' message when the path does not match
   */
  public static void check(Path path, String type) throws IOException {
    if (type == null || type.isEmpty()) {
      return;
    }
    switch (type) {
      case "DirectoryOrCreate" -> {
        if (!exists(path)) {
          Files.createDirectories(path);
          Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
          return;
        }
        require(path, S_IFDIR, "a directory");
      }
      case "Directory" -> require(path, S_IFDIR, "a directory");
      case "FileOrCreate" -> {
        if (!exists(path)) {
          try {
            Files.createFile(path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
          } catch (FileAlreadyExistsException raced) {
            require(path, S_IFREG, "a file");
          }
          return;
        }
        require(path, S_IFREG, "a file");
      }
      case "File" -> require(path, S_IFREG, "a file");
      case "Socket" -> require(path, S_IFSOCK, "a socket file");
      case "CharDevice" -> require(path, S_IFCHR, "a character device");
      case "BlockDevice" -> require(path, S_IFBLK, "a block device");
      default -> throw new IOException(type + " is an invalid volume type");
    }
  }

  private static boolean exists(Path path) {
    return Files.exists(path);
  }

  private static void require(Path path, int fileType, String what) throws IOException {
    if (fileType(path) != fileType) {
      throw new IOException("hostPath type check failed: " + path + " is not " + what);
    }
  }

  /** The S_IFMT bits of the path's mode (following symlinks), or -1 when it does not exist. */
  private static int fileType(Path path) {
    try {
      return ((Integer) Files.getAttribute(path, "unix:mode")) & S_IFMT;
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }
}
