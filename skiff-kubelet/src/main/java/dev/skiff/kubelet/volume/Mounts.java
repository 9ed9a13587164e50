package dev.skiff.kubelet.volume;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The node's mount table as the kubelet needs it: tmpfs mounts for memory-backed volumes (made and
 * removed with the host's {@code mount}/{@code umount}, as Kubernetes' mounter does), and which
 * directories are mount points (read from {@code /proc/self/mountinfo}).
 */
public class Mounts {
  private final Path mountInfo;

  public Mounts() {
    this(Path.of("/proc/self/mountinfo"));
  }

  Mounts(Path mountInfo) {
    this.mountInfo = mountInfo;
  }

  /** Mounts a tmpfs on {@code dir}; {@code sizeBytes} ≤ 0 leaves the kernel's default size. */
  public void mountTmpfs(Path dir, long sizeBytes) throws IOException {
    List<String> command = new ArrayList<>(List.of("mount", "-t", "tmpfs"));
    if (sizeBytes > 0) {
      command.addAll(List.of("-o", "size=" + sizeBytes));
    }
    command.addAll(List.of("tmpfs", dir.toString()));
    run(command);
  }

  public void unmount(Path dir) throws IOException {
    run(List.of("umount", dir.toString()));
  }

  public boolean isMountPoint(Path dir) throws IOException {
    return mountPoints().contains(dir.toAbsolutePath().normalize());
  }

  /** Mount points at or below {@code root}, deepest first (the order to unmount them in). */
  public List<Path> mountPointsUnder(Path root) throws IOException {
    Path normalized = root.toAbsolutePath().normalize();
    List<Path> under = new ArrayList<>();
    for (Path mountPoint : mountPoints()) {
      if (mountPoint.startsWith(normalized)) {
        under.add(mountPoint);
      }
    }
    under.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return under;
  }

  private List<Path> mountPoints() throws IOException {
    List<Path> points = new ArrayList<>();
    for (String line : Files.readAllLines(mountInfo, StandardCharsets.UTF_8)) {
      String[] fields = line.split(" ");
      if (fields.length > 4) {
        points.add(Path.of(unescape(fields[4])));
      }
    }
    return points;
  }

  /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
  static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }

  private static void run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      int exit = process.waitFor();
      if (exit != 0) {
        throw new IOException(
            String.join(" ", command) + " failed (exit " + exit + "): " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
      throw new IOException(String.join(" ", command) + " interrupted", e);
    }
  }
}
