package dev.skiff.cli;

import java.nio.file.Path;

/** Where Skiff keeps its state when no --data-dir is given. */
final class DataDirs {
  private DataDirs() {}

  /** /var/lib/skiff for root (as k3s uses /var/lib/rancher/k3s), ~/.skiff for everyone else. */
  static Path defaultDataDir() {
    boolean root = "root".equals(System.getProperty("user.name"));
    return root ? Path.of("/var/lib/skiff") : Path.of(System.getProperty("user.home"), ".skiff");
  }
}
