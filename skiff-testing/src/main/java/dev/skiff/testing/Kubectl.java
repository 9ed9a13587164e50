package dev.skiff.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl against a kubeconfig, for end-to-end tests. */
public final class Kubectl {
  /** The outcome of one kubectl run. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Throws with kubectl's stderr unless the run succeeded; returns stdout. */
    public String ok() {
      if (exitCode != 0) {
        throw new AssertionError("kubectl exited " + exitCode + ": " + stderr.strip());
      }
      return stdout;
    }
  }

  private final Path kubeconfig;
  private final String binary;

  public Kubectl(Path kubeconfig) {
    this(kubeconfig, System.getenv().getOrDefault("SKIFF_KUBECTL", "kubectl"));
  }

  public Kubectl(Path kubeconfig, String binary) {
    this.kubeconfig = kubeconfig;
    this.binary = binary;
  }

  /** Runs {@code kubectl --kubeconfig F args...} with no input. */
  public Result run(String... args) {
    return run(null, Map.of(), args);
  }

  /** Runs kubectl with {@code stdin} as its input (may be null) and extra environment. */
  public Result run(String stdin, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.add("--kubeconfig=" + kubeconfig);
    // a discovery cache per cluster: another server on the same port must not see stale entries
    command.add("--cache-dir=" + kubeconfig.toAbsolutePath().getParent().resolve("kubectl-cache"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.environment().remove("KUBECONFIG");
    try {
      Process process = builder.start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      var stdout = readAsync(process.getInputStream());
      var stderr = readAsync(process.getErrorStream());
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 120 s");
      }
      return new Result(process.exitValue(), stdout.join(), stderr.join());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs kubectl and returns its stdout, failing with its stderr when it exits non-zero. */
  public String ok(String... args) {
    return run(args).ok();
  }

  private static java.util.concurrent.CompletableFuture<String> readAsync(java.io.InputStream in) {
    return java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
