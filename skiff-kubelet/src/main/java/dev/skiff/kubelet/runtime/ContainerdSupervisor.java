package dev.skiff.kubelet.runtime;

import dev.skiff.kubelet.cri.CriClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's own containerd as a child process: writes its configuration under {@code
 * <data-dir>/agent/containerd} (config.toml and the registry hosts from registries.yaml), starts
 * it, waits until its CRI service answers, restarts it with a growing delay (1 s doubling to 30 s,
 * back to 1 s after a minute of uptime) whenever it dies, and stops it on {@link #close()}
 * (SIGTERM, then SIGKILL after 10 s). Containers keep running across restarts: their shims outlive
 * containerd.
 *
 * <p>With {@code --container-runtime-endpoint} ({@link ContainerdOptions#existingEndpoint()}) it
 * supervises nothing and {@link #endpoint()} is that endpoint.
 */
public final class ContainerdSupervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContainerdSupervisor.class);
  private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration STABLE_UPTIME = Duration.ofMinutes(1);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final ContainerdOptions options;
  private final InstantSource clock;
  private final Object lock = new Object();
  private Process process;
  private Thread monitor;
  private volatile boolean closed;
  private int restarts;
  private String snapshotter;

  public ContainerdSupervisor(ContainerdOptions options) {
    this(options, InstantSource.system());
  }

  ContainerdSupervisor(ContainerdOptions options, InstantSource clock) {
    this.options = options;
    this.clock = clock;
  }

  /**
   * Writes the configuration, starts containerd and returns once its CRI service answers; throws
   * {@link IllegalStateException} naming the log file when it does not within the start timeout.
   */
  public ContainerdSupervisor start() {
    if (options.existingEndpoint() != null) {
      log.info("event=containerd_external endpoint={}", options.existingEndpoint());
      return this;
    }
    snapshotter = writeConfig(options);
    Process first = launch();
    awaitReady(first, options.startTimeout());
    monitor = Thread.ofVirtual().name("containerd-supervisor").start(() -> supervise(first));
    return this;
  }

  /**
   * Writes config.toml and certs.d for these options; returns the snapshotter chosen (images
   * imported with {@code ctr} must be unpacked for it).
   */
  public static String writeConfig(ContainerdOptions options) {
    Registries registries = Registries.read(options.registriesFile());
    RegistryHosts hosts = RegistryHosts.translate(registries);
    hosts.warnings().forEach(w -> log.warn("event=registries_warning message=\"{}\"", w));
    try {
      Files.createDirectories(options.containerdDir());
      Files.createDirectories(options.cniConfDir());
      hosts.write(options.certsDir());
      String snapshotter = Snapshotters.detect(options.rootDir());
      Files.writeString(
          options.configFile(), ContainerdConfig.render(options, snapshotter, hosts.auths()));
      return snapshotter;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The snapshotter containerd was configured with ({@code overlayfs} or {@code native}); null
   * before {@link #start()} and for an existing runtime endpoint.
   */
  public String snapshotter() {
    return snapshotter;
  }

  /** The CRI endpoint the kubelet connects to: {@code unix:///<data-dir>/…/containerd.sock}. */
  public String endpoint() {
    if (options.existingEndpoint() != null) {
      return options.existingEndpoint();
    }
    return "unix://" + options.socket();
  }

  /** The running containerd's process id; empty when none runs (or none is supervised). */
  public OptionalLong pid() {
    synchronized (lock) {
      return process != null && process.isAlive()
          ? OptionalLong.of(process.pid())
          : OptionalLong.empty();
    }
  }

  /** How many times containerd was restarted after dying. */
  public int restarts() {
    synchronized (lock) {
      return restarts;
    }
  }

  private Process launch() {
    List<String> command =
        options
            .netns()
            .wrap(List.of(options.containerdBinary(), "--config", options.configFile().toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(options.logFile().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      synchronized (lock) {
        if (closed) {
          throw new IllegalStateException("containerd supervisor is closed");
        }
        process = builder.start();
        log.info(
            "event=containerd_started pid={} endpoint={} log={}",
            process.pid(),
            endpoint(),
            options.logFile());
        return process;
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start " + options.containerdBinary() + ": " + e.getMessage(), e);
    }
  }

  private void awaitReady(Process started, Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    String lastError = "no answer yet";
    while (clock.instant().isBefore(deadline)) {
      if (!started.isAlive()) {
        throw new IllegalStateException(
            "containerd exited with "
                + started.exitValue()
                + " during start-up; see "
                + options.logFile());
      }
      if (accepts(options.socket())) {
        try (CriClient cri = CriClient.connect(endpoint())) {
          var version = cri.version();
          log.info(
              "event=containerd_ready runtime={} version={}",
              version.getRuntimeName(),
              version.getRuntimeVersion());
          return;
        } catch (RuntimeException e) {
          lastError = e.getMessage();
        }
      }
      if (!sleep(Duration.ofMillis(100))) {
        break;
      }
    }
    throw new IllegalStateException(
        "containerd's CRI service did not answer within "
            + timeout.toSeconds()
            + " s ("
            + lastError
            + "); see "
            + options.logFile());
  }

  /** Whether something listens on the socket (a stale socket file refuses connections). */
  private static boolean accepts(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
  }

  private void supervise(Process first) {
    Process current = first;
    Instant started = clock.instant();
    Duration backoff = MIN_BACKOFF;
    while (!closed) {
      int exitCode;
      try {
        exitCode = current.waitFor();
      } catch (InterruptedException e) {
        return; // close() interrupts us
      }
      if (closed) {
        return;
      }
      if (Duration.between(started, clock.instant()).compareTo(STABLE_UPTIME) >= 0) {
        backoff = MIN_BACKOFF;
      }
      log.warn(
          "event=containerd_exited exit_code={} restart_in={}s log={}",
          exitCode,
          backoff.toSeconds(),
          options.logFile());
      if (!sleep(backoff)) {
        return;
      }
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
      try {
        current = launch();
        started = clock.instant();
        synchronized (lock) {
          restarts++;
        }
        awaitReady(current, options.startTimeout());
      } catch (IllegalStateException e) {
        if (closed) {
          return;
        }
        log.warn("event=containerd_restart_failed error=\"{}\"", e.getMessage());
        if (current.isAlive()) {
          continue; // it runs but did not answer in time: keep watching it
        }
      }
    }
  }

  private static boolean sleep(Duration duration) {
    try {
      Thread.sleep(duration);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops containerd: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    Process running;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      running = process;
    }
    if (monitor != null) {
      monitor.interrupt();
    }
    if (running == null || !running.isAlive()) {
      return;
    }
    running.destroy();
    try {
      if (!running.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "event=containerd_kill pid={} reason=\"no exit 10 s after SIGTERM\"", running.pid());
        running.destroyForcibly();
        running.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.destroyForcibly();
    }
    log.info("event=containerd_stopped");
  }
}
