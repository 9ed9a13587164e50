package dev.skiff.kubelet.volume;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A pod's {@code fsGroup} applied to a volume as Kubernetes does: every file and directory gets the
 * group, group read (and write, for read-write volumes) permission; directories also get group
 * execute and the setgid bit so new files inherit the group. Symlinks are re-grouped but not
 * followed.
 */
final class VolumeOwnership {
  private static final int RW_MASK = 0660;
  private static final int RO_MASK = 0440;
  private static final int EXEC_MASK = 0110;
  private static final int SETGID = 02000;

  private VolumeOwnership() {}

  static void apply(Path dir, long fsGroup, boolean readOnly) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path path, BasicFileAttributes attrs)
              throws IOException {
            change(path, attrs, fsGroup, readOnly);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path path, BasicFileAttributes attrs)
              throws IOException {
            change(path, attrs, fsGroup, readOnly);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void change(Path path, BasicFileAttributes attrs, long fsGroup, boolean readOnly)
      throws IOException {
    Files.setAttribute(path, "unix:gid", (int) fsGroup, LinkOption.NOFOLLOW_LINKS);
    if (attrs.isSymbolicLink()) {
      return;
    }
    int mask = readOnly ? RO_MASK : RW_MASK;
    if (attrs.isDirectory()) {
      mask |= SETGID | EXEC_MASK;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    int wanted = (mode & 07777) | mask;
    if ((mode & 07777) != wanted) {
      Files.setAttribute(path, "unix:mode", wanted, LinkOption.NOFOLLOW_LINKS);
    }
  }
}
