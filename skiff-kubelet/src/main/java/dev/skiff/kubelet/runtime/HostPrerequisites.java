package dev.skiff.kubelet.runtime;

import dev.skiff.kubelet.node.NodeHealth;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a node needs on its host to run pods: containerd, runc, the CNI plugins the pod network uses
 * (bridge, host-local, portmap, loopback) and iptables. When something is missing and the agent
 * runs as root on Debian, they are installed with apt-get; otherwise the result says what is
 * missing and the command that installs it, and the node registers with Ready=False and that
 * message ({@link Result#nodeHealth()}).
 */
public final class HostPrerequisites {
  public static final List<String> CNI_PLUGINS =
      List.of("bridge", "host-local", "portmap", "loopback");
  public static final List<String> APT_PACKAGES =
      List.of("containerd", "runc", "containernetworking-plugins", "iptables");
  public static final String INSTALL_COMMAND =
      "apt-get install -y " + String.join(" ", APT_PACKAGES);

  private final List<Path> searchPath;
  private final Path cniBinDir;
  private final boolean root;
  private final Path debianVersionFile;
  private final Function<List<String>, Integer> installer;

  /** Looks at this host: PATH, its root-ness and /etc/debian_version; installs with apt-get. */
  public static HostPrerequisites forHost(Path cniBinDir) {
    List<Path> path = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        path.add(Path.of(dir));
      }
    }
    // root's tools live in sbin even when the agent was started with a user's PATH
    for (String dir :
        List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      if (!path.contains(Path.of(dir))) {
        path.add(Path.of(dir));
      }
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    return new HostPrerequisites(
        path, cniBinDir, root, Path.of("/etc/debian_version"), HostPrerequisites::aptGet);
  }

  /**
   * @param installer runs an apt-get command line and returns its exit code
   */
  HostPrerequisites(
      List<Path> searchPath,
      Path cniBinDir,
      boolean root,
      Path debianVersionFile,
      Function<List<String>, Integer> installer) {
    this.searchPath = List.copyOf(searchPath);
    this.cniBinDir = cniBinDir;
    this.root = root;
    this.debianVersionFile = debianVersionFile;
    this.installer = installer;
  }

  /** What is missing now, without installing anything. */
  public Result check() {
    List<String> missing = new ArrayList<>();
    for (String binary : List.of("containerd", "runc", "iptables")) {
      if (findOnPath(binary) == null) {
        missing.add(binary);
      }
    }
    List<String> plugins = new ArrayList<>();
    for (String plugin : CNI_PLUGINS) {
      if (!Files.isExecutable(cniBinDir.resolve(plugin))) {
        plugins.add(plugin);
      }
    }
    if (!plugins.isEmpty()) {
      missing.add("CNI plugins " + String.join(", ", plugins) + " in " + cniBinDir);
    }
    return new Result(missing, false);
  }

  /**
   * Checks, and when something is missing installs it if this is root on Debian, then checks again.
   * Installation progress goes to stderr.
   */
  public Result ensure() {
    Result first = check();
    if (first.satisfied() || !canInstall()) {
      return first;
    }
    List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y"));
    install.addAll(APT_PACKAGES);
    int exit = installer.apply(install);
    if (exit != 0) {
      // a fresh machine may have no package lists yet
      installer.apply(List.of("apt-get", "update"));
      installer.apply(install);
    }
    Result after = check();
    return new Result(after.missing(), true);
  }

  /** Whether {@link #ensure()} would run apt-get. */
  public boolean canInstall() {
    return root && Files.exists(debianVersionFile);
  }

  private Path findOnPath(String binary) {
    for (Path dir : searchPath) {
      Path candidate = dir.resolve(binary);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static int aptGet(List<String> command) {
    PrintStream err = System.err;
    err.println("skiff: installing the node's packages: " + String.join(" ", command));
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(Map.of("DEBIAN_FRONTEND", "noninteractive"));
      Process process = builder.start();
      try (InputStream out = process.getInputStream()) {
        out.transferTo(err);
      }
      return process.waitFor();
    } catch (IOException e) {
      err.println("skiff: " + String.join(" ", command) + ": " + e.getMessage());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * @param missing what is missing, one entry per binary (CNI plugins together)
   * @param installAttempted whether apt-get ran
   */
  public record Result(List<String> missing, boolean installAttempted) {
    public Result {
      missing = List.copyOf(missing);
    }

    public boolean satisfied() {
      return missing.isEmpty();
    }

    /** Why the node cannot run pods and how to fix it; null when nothing is missing. */
    public String message() {
      if (missing.isEmpty()) {
        return null;
      }
      return "container runtime prerequisites missing: "
          + String.join("; ", missing)
          + (installAttempted ? " (apt-get failed)" : "")
          + "; install them with: "
          + INSTALL_COMMAND;
    }

    /** The node health to register with: healthy, or not ready with {@link #message()}. */
    public NodeHealth nodeHealth() {
      return missing.isEmpty() ? NodeHealth.HEALTHY : NodeHealth.notReady(message());
    }
  }
}
