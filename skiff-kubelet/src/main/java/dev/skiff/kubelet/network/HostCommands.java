package dev.skiff.kubelet.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs short host commands ({@code ip}, {@code iptables-restore}, {@code sh}) in one network
 * namespace and returns what they printed. Long-running daemons are not started here.
 */
public final class HostCommands {
  private final NetNamespace netns;

  public HostCommands(NetNamespace netns) {
    this.netns = netns;
  }

  /** Commands in the agent's own namespace. */
  public static HostCommands current() {
    return new HostCommands(NetNamespace.CURRENT);
  }

  public NetNamespace netns() {
    return netns;
  }

  /** Runs the command; returns its standard output; throws if it exits non-zero. */
  public String run(String... command) {
    return run(List.of(command), null, Map.of());
  }

  /**
   * Runs the command with {@code stdin} (may be null) and extra environment; returns its standard
   * output; throws {@link HostCommandException} with its error output if it exits non-zero.
   */
  public String run(List<String> command, String stdin, Map<String, String> environment) {
    Result result = execute(command, stdin, environment);
    if (result.exitCode() != 0) {
      throw new HostCommandException(
          command,
          result.exitCode(),
          result.stderr().isBlank() ? result.stdout() : result.stderr());
    }
    return result.stdout();
  }

  /** Runs the command and reports its exit code and output instead of throwing. */
  public Result execute(List<String> command, String stdin, Map<String, String> environment) {
    ProcessBuilder builder = new ProcessBuilder(netns.wrap(command));
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      // a virtual thread drains stderr so a chatty command cannot block on a full pipe
      StringBuilder stderr = new StringBuilder();
      Thread errReader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      stderr.append(
                          new String(
                              process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                      // the process went away; its exit code tells the story
                    }
                  });
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exitCode = process.waitFor();
      errReader.join();
      return new Result(exitCode, stdout, stderr.toString());
    } catch (IOException e) {
      throw new HostCommandException(command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostCommandException(command, e);
    }
  }

  /** What a finished command printed. */
  public record Result(int exitCode, String stdout, String stderr) {}
}
