package dev.skiff.scheduler;

import dev.skiff.scheduler.client.Fabric8ClusterClient;
import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.Parallelizer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-scheduler as an API client: informers feed the cache and queue, one thread runs scheduling
 * cycles, bindings run on virtual threads, and with leader election only the holder of the Lease
 * kube-system/kube-scheduler schedules.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  private static final Duration CACHE_SYNC_TIMEOUT = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final SchedulerConfiguration config;
  private final String identity;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final ExecutorService bindExecutor = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService housekeeping =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "scheduler-housekeeping");
            t.setDaemon(true);
            return t;
          });
  private final Parallelizer parallelizer = Parallelizer.ofAvailableProcessors();
  private final PodScheduler scheduler;
  private volatile Thread loop;
  private volatile boolean leading;
  private volatile boolean closed;
  private volatile CompletableFuture<?> election;

  public Scheduler(KubernetesClient client, SchedulerConfiguration config, InstantSource clock) {
    this.client = client;
    this.config = config;
    String host = hostname();
    this.identity = host + "_" + UUID.randomUUID();
    Listers listers =
        new Listers(
            lister(client.persistentVolumeClaims().inAnyNamespace(), ClusterEvent.PVC_CHANGE),
            lister(client.persistentVolumes(), ClusterEvent.PV_CHANGE),
            lister(client.storage().v1().storageClasses(), ClusterEvent.STORAGE_CLASS_CHANGE),
            lister(client.policy().v1().podDisruptionBudget().inAnyNamespace(), null),
            lister(client.scheduling().v1().priorityClasses(), null),
            lister(client.namespaces(), ClusterEvent.NAMESPACE_CHANGE),
            lister(client.services().inAnyNamespace(), null),
            lister(client.replicationControllers().inAnyNamespace(), null),
            lister(client.apps().replicaSets().inAnyNamespace(), null),
            lister(client.apps().statefulSets().inAnyNamespace(), null));
    this.scheduler =
        new PodScheduler(
            new Fabric8ClusterClient(client, clock, host),
            listers,
            config,
            clock,
            parallelizer,
            RandomGenerator.getDefault(),
            bindExecutor);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** Moves unschedulable pods on any change of a kind whose plugins registered {@code event}. */
  private final class ClusterEventHandler implements ResourceEventHandler<HasMetadata> {
    private final ClusterEvent event;

    ClusterEventHandler(ClusterEvent event) {
      this.event = event;
    }

    @Override
    public void onAdd(HasMetadata obj) {
      scheduler.onClusterEvent(event);
    }

    @Override
    public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
      scheduler.onClusterEvent(event);
    }

    @Override
    public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
      scheduler.onClusterEvent(event);
    }
  }

  private <T extends HasMetadata> InformerLister<T> lister(Informable<T> op, ClusterEvent event) {
    SharedIndexInformer<T> informer = op.runnableInformer(0);
    if (event != null) {
      informer.addEventHandler(eventHandlerFor(event));
    }
    informers.add(informer);
    return new InformerLister<>(informer);
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> ResourceEventHandler<T> eventHandlerFor(ClusterEvent event) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) new ClusterEventHandler(event);
  }

  /** Starts informers, waits for pods and nodes to sync, then schedules (as leader, if elected). */
  public void start() {
    SharedIndexInformer<Node> nodes = client.nodes().runnableInformer(0);
    nodes.addEventHandler(
        handler(scheduler::onNodeAdd, scheduler::onNodeUpdate, scheduler::onNodeDelete));
    SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().runnableInformer(0);
    pods.addEventHandler(
        handler(scheduler::onPodAdd, scheduler::onPodUpdate, scheduler::onPodDelete));
    informers.add(nodes);
    informers.add(pods);
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (SharedIndexInformer<?> informer : informers) {
      started.add(informer.start().toCompletableFuture());
    }
    try {
      // pods and nodes must be complete before the first cycle; other kinds are best effort
      CompletableFuture.allOf(started.get(started.size() - 2), started.get(started.size() - 1))
          .get(CACHE_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      for (CompletableFuture<Void> f : started) {
        try {
          f.get(CACHE_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
          log.warn("msg=\"informer did not sync\" error=\"{}\"", e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for caches to sync", e);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("scheduler caches did not sync: " + e.getMessage(), e);
    }
    housekeeping.scheduleWithFixedDelay(scheduler::flushBackoff, 1, 1, TimeUnit.SECONDS);
    housekeeping.scheduleWithFixedDelay(
        scheduler::flushUnschedulableLeftover, 30, 30, TimeUnit.SECONDS);
    housekeeping.scheduleWithFixedDelay(scheduler::cleanupAssumedPods, 1, 1, TimeUnit.SECONDS);
    if (config.leaderElection().leaderElect()) {
      elect();
    } else {
      startLeading();
    }
  }

  private void elect() {
    SchedulerConfiguration.LeaderElection le = config.leaderElection();
    var electionConfig =
        new LeaderElectionConfigBuilder()
            .withName("kube-scheduler")
            .withLock(new LeaseLock(le.resourceNamespace(), le.resourceName(), identity))
            .withLeaseDuration(le.leaseDuration())
            .withRenewDeadline(le.renewDeadline())
            .withRetryPeriod(le.retryPeriod())
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(
                new LeaderCallbacks(
                    this::startLeading,
                    this::stopLeading,
                    leader -> log.info("msg=\"new scheduler leader\" identity={}", leader)))
            .build();
    CompletableFuture<?> f = client.leaderElector().withConfig(electionConfig).build().start();
    election = f;
    f.whenComplete(
        (v, e) -> {
          if (!closed) {
            // lost the lease: stand for election again, as a standby
            elect();
          }
        });
  }

  private synchronized void startLeading() {
    if (closed || leading) {
      return;
    }
    leading = true;
    log.info("msg=\"started leading\" identity={}", identity);
    Thread t =
        Thread.ofPlatform()
            .name("scheduler")
            .daemon(true)
            .start(
                () -> {
                  while (leading && !closed) {
                    try {
                      scheduler.scheduleOne(Duration.ofMillis(200));
                    } catch (InterruptedException e) {
                      return;
                    } catch (RuntimeException e) {
                      log.error("msg=\"scheduling cycle crashed\" error=\"{}\"", e.toString());
                    }
                  }
                });
    loop = t;
  }

  private synchronized void stopLeading() {
    if (leading) {
      log.info("msg=\"stopped leading\" identity={}", identity);
    }
    leading = false;
  }

  /** Whether this instance currently schedules (holds the lease, or runs without election). */
  public boolean isLeading() {
    return leading;
  }

  /** The identity written into the Lease. */
  public String identity() {
    return identity;
  }

  /** The scheduler's metrics in the Prometheus text format, for /metrics. */
  public String metricsText() {
    return scheduler.metrics().text();
  }

  @Override
  public void close() {
    closed = true;
    leading = false;
    CompletableFuture<?> f = election;
    if (f != null) {
      f.cancel(true);
    }
    scheduler.close();
    Thread t = loop;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SharedIndexInformer<?> informer : informers) {
      informer.stop();
    }
    housekeeping.shutdownNow();
    bindExecutor.shutdown();
    parallelizer.close();
  }

  private static <T> ResourceEventHandler<T> handler(
      Consumer<T> add, java.util.function.BiConsumer<T, T> update, Consumer<T> delete) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        add.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        update.accept(oldObj, newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        delete.accept(obj);
      }
    };
  }
}
