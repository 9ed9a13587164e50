package dev.skiff.kubelet.network;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The network namespace host commands and daemons run in. The agent normally runs inside its node's
 * namespace already ({@link #CURRENT}); a test that drives several nodes from one JVM names each
 * node's namespace, and commands are then started through {@code nsenter --net}, which keeps the
 * host's cgroupfs and mounts visible (unlike {@code ip netns exec}).
 *
 * @param path the namespace file (e.g. {@code /run/netns/NAME}); null for the current namespace
 */
public record NetNamespace(Path path) {
  public static final NetNamespace CURRENT = new NetNamespace(null);

  /** A namespace created with {@code ip netns add NAME}. */
  public static NetNamespace named(String name) {
    return new NetNamespace(Path.of("/run/netns", name));
  }

  /** The command that runs {@code command} inside this namespace. */
  public List<String> wrap(List<String> command) {
    if (path == null) {
      return List.copyOf(command);
    }
    List<String> wrapped = new ArrayList<>(command.size() + 2);
    wrapped.add("nsenter");
    wrapped.add("--net=" + path);
    wrapped.addAll(command);
    return wrapped;
  }

  @Override
  public String toString() {
    return path == null ? "current" : path.toString();
  }
}
