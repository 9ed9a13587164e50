package dev.skiff.kubelet.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network namespaces a test creates (each with loopback up) and deletes afterwards, even when the
 * test failed half-way. Names carry a random suffix so parallel or leftover runs never collide.
 */
public final class TestNamespaces implements AutoCloseable {
  private final String suffix =
      Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
  private final List<String> created = new ArrayList<>();
  private final HostCommands host = HostCommands.current();

  /** Creates {@code sk-<role>-<suffix>} and returns commands that run inside it. */
  public synchronized HostCommands create(String role) {
    String name = "sk-" + role + "-" + suffix;
    host.run("ip", "netns", "add", name);
    created.add(name);
    HostCommands commands = new HostCommands(NetNamespace.named(name));
    commands.run("ip", "link", "set", "lo", "up");
    return commands;
  }

  /** The namespace name for a role created earlier. */
  public String name(String role) {
    return "sk-" + role + "-" + suffix;
  }

  /** Commands inside a namespace created earlier. */
  public HostCommands commands(String role) {
    return new HostCommands(NetNamespace.named(name(role)));
  }

  /** Whether {@code ns} can ping {@code address} once (busybox ping; no ping binary needed). */
  public static boolean ping(HostCommands ns, String address) {
    return ns.execute(List.of("busybox", "ping", "-c", "1", "-W", "2", address), null, Map.of())
            .exitCode()
        == 0;
  }

  @Override
  public synchronized void close() {
    for (String name : created.reversed()) {
      host.execute(List.of("ip", "netns", "del", name), null, Map.of());
    }
    created.clear();
  }
}
