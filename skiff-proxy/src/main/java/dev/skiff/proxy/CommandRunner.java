package dev.skiff.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the netfilter commands of the proxy (iptables-restore, iptables-save, nft). Tests pass one
 * that runs them inside a network namespace with {@code nsenter --net=/run/netns/NAME}.
 */
@FunctionalInterface
public interface CommandRunner {

  /** Runs {@code command} with {@code stdin} as its input and waits for it to exit. */
  Result run(List<String> command, String stdin);

  /** Exit code and output of one command. */
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs commands on this host, in the proxy's own network namespace. */
  static CommandRunner host() {
    return CommandRunner::exec;
  }

  /** Runs commands inside the named network namespace ({@code /run/netns/NAME}). */
  static CommandRunner inNetns(String netns) {
    return (command, stdin) -> {
      List<String> wrapped = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + netns, "--"));
      wrapped.addAll(command);
      return exec(wrapped, stdin);
    };
  }

  private static Result exec(List<String> command, String stdin) {
    try {
      Process process = new ProcessBuilder(command).start();
      CompletableFuture<String> out = readAsync(process.getInputStream());
      CompletableFuture<String> err = readAsync(process.getErrorStream());
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      int code = process.waitFor();
      return new Result(code, out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command.getFirst(), e);
    }
  }

  private static CompletableFuture<String> readAsync(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        Thread::startVirtualThread);
  }
}
