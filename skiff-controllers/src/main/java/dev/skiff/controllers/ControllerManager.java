package dev.skiff.controllers;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerCredentials;
import dev.skiff.controllers.runtime.ControllerMetrics;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.Informers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller manager: starts every enabled controller on shared informers, optionally only
 * while it holds the kube-system/kube-controller-manager Lease. The shared informers and the leader
 * election use the manager's client; each controller writes with the client its {@link
 * ControllerCredentials} give it (its own ServiceAccount's under {@code
 * --use-service-account-credentials}).
 */
public final class ControllerManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);
  static final String LEASE_NAMESPACE = "kube-system";
  static final String LEASE_NAME = "kube-controller-manager";

  private final KubernetesClient client;
  private final ControllerCredentials credentials;
  private final ControllerManagerOptions options;
  private final InstantSource clock;
  private final ControllerMetrics metrics = new ControllerMetrics();
  private final ExecutorService eventExecutor =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("events").factory());
  private final ExecutorService electionExecutor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("leader-election").factory());
  private final List<ControllerRunner> running = new ArrayList<>();
  private Informers informers;
  private CompletableFuture<?> election;
  private volatile boolean leading;
  private boolean closed;

  /** A manager whose controllers all act with its own client (and identity). */
  public ControllerManager(
      KubernetesClient client, ControllerManagerOptions options, InstantSource clock) {
    this(client, ControllerCredentials.shared(client), options, clock);
  }

  /**
   * A manager whose controllers act with the clients {@code credentials} give them, e.g. {@link
   * dev.skiff.controllers.runtime.ServiceAccountCredentials} for per-controller identities.
   */
  public ControllerManager(
      KubernetesClient client,
      ControllerCredentials credentials,
      ControllerManagerOptions options,
      InstantSource clock) {
    this.client = client;
    this.credentials = credentials;
    this.options = options;
    this.clock = clock;
    List<String> unknown =
        new ControllerSelection(options.controllers()).unknown(Controllers.ALL.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown controllers in --controllers: " + unknown);
    }
  }

  /** Starts the controllers now, or once this process wins the leader election. */
  public synchronized void start() {
    if (!options.leaderElect()) {
      startControllers();
      return;
    }
    LeaderElector elector =
        new LeaderElector(
            client,
            new LeaderElectionConfigBuilder()
                .withName(LEASE_NAME)
                .withLock(new LeaseLock(LEASE_NAMESPACE, LEASE_NAME, options.identity()))
                .withLeaseDuration(Duration.ofSeconds(15))
                .withRenewDeadline(Duration.ofSeconds(10))
                .withRetryPeriod(Duration.ofSeconds(2))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(
                    new LeaderCallbacks(
                        this::startControllers,
                        this::stopControllers,
                        leader ->
                            LOG.info("leader elected lease={} leader={}", LEASE_NAME, leader)))
                .build(),
            electionExecutor);
    election = elector.start();
  }

  /** Names of the controllers this manager runs (enabled by --controllers). */
  public List<String> enabledControllers() {
    ControllerSelection selection = new ControllerSelection(options.controllers());
    List<String> enabled = new ArrayList<>();
    for (Map.Entry<String, Controllers.Descriptor> entry : Controllers.ALL.entrySet()) {
      if (!selection.enabled(entry.getKey(), entry.getValue().onByDefault())) {
        continue;
      }
      if (entry.getKey().equals("root-ca-cert-publisher") && options.rootCaPem().isEmpty()) {
        // nothing to publish without the CA certificate
        continue;
      }
      enabled.add(entry.getKey());
    }
    return enabled;
  }

  /**
   * The ServiceAccount (in kube-system) each known controller acts as under {@code
   * --use-service-account-credentials}, by controller name.
   */
  public static Map<String, String> serviceAccounts() {
    Map<String, String> accounts = new LinkedHashMap<>();
    Controllers.ALL.forEach((name, controller) -> accounts.put(name, controller.serviceAccount()));
    return accounts;
  }

  public boolean isLeading() {
    return leading;
  }

  private synchronized void startControllers() {
    if (closed || leading) {
      return;
    }
    leading = true;
    metrics.leading(LEASE_NAME, true);
    informers = new Informers(client);
    Map<String, ControllerRunner> started = new LinkedHashMap<>();
    for (String name : enabledControllers()) {
      Controllers.Descriptor controller = Controllers.ALL.get(name);
      ControllerContext context =
          new ControllerContext(
              credentials.clientFor(controller.serviceAccount()),
              informers,
              clock,
              options,
              metrics,
              eventExecutor,
              options.identity());
      started.put(name, controller.factory().apply(context));
    }
    informers.start();
    started.values().forEach(ControllerRunner::start);
    running.addAll(started.values());
    LOG.info("controllers started count={} names={}", started.size(), started.keySet());
  }

  private synchronized void stopControllers() {
    if (!leading) {
      return;
    }
    leading = false;
    metrics.leading(LEASE_NAME, false);
    running.forEach(ControllerRunner::close);
    running.clear();
    if (informers != null) {
      informers.close();
      informers = null;
    }
    credentials.close();
    LOG.info("controllers stopped");
  }

  /** The Prometheus text of the manager's metrics (work queues, leader status). */
  public String metricsText() {
    return metrics.metricsText();
  }

  /** Healthy while not closed: the /healthz answer. */
  public synchronized boolean healthy() {
    return !closed;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    if (election != null) {
      election.cancel(true);
    }
    stopControllers();
    eventExecutor.shutdown();
    electionExecutor.shutdownNow();
  }
}
