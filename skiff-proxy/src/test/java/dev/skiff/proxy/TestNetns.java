package dev.skiff.proxy;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace a test creates (with loopback up) and deletes afterwards; rules applied
 * through {@link #runner()} stay inside it.
 */
public final class TestNetns implements AutoCloseable {
  private final String name;

  private TestNetns(String name) {
    this.name = name;
  }

  public static TestNetns create(String prefix) {
    String name = prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    check(CommandRunner.host().run(List.of("ip", "netns", "add", name), ""), "ip netns add");
    TestNetns netns = new TestNetns(name);
    check(netns.runner().run(List.of("ip", "link", "set", "lo", "up"), ""), "lo up");
    return netns;
  }

  public String name() {
    return name;
  }

  public CommandRunner runner() {
    return CommandRunner.inNetns(name);
  }

  /** Runs a command in the namespace and returns its output; fails on a non-zero exit. */
  public String run(String... command) {
    CommandRunner.Result result = runner().run(List.of(command), "");
    check(result, String.join(" ", command));
    return result.stdout();
  }

  private static void check(CommandRunner.Result result, String what) {
    if (!result.ok()) {
      throw new IllegalStateException(what + " failed: " + result.stderr());
    }
  }

  @Override
  public void close() {
    CommandRunner.host().run(List.of("ip", "netns", "del", name), "");
  }
}
