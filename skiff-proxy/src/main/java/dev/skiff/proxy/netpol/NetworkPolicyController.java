package dev.skiff.proxy.netpol;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces NetworkPolicies for the pods of one node: informers on pods, namespaces and network
 * policies wake a sync loop that compiles the informers' contents with {@link
 * NetworkPolicyCompiler} and hands the result to a {@link PolicyEnforcer}, at most once per {@code
 * minSyncPeriod} (changes in between are coalesced; a failed sync is retried after it).
 */
public final class NetworkPolicyController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetworkPolicyController.class);

  private final KubernetesClient client;
  private final NetworkPolicyCompiler compiler;
  private final PolicyEnforcer enforcer;
  private final Duration minSyncPeriod;
  private final AtomicLong generation = new AtomicLong();
  private final AtomicReference<CompiledPolicies> applied = new AtomicReference<>();
  private final Object signal = new Object();
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<NetworkPolicy> policies;
  private volatile boolean running;
  private Thread loop;

  public NetworkPolicyController(
      KubernetesClient client, String nodeName, PolicyEnforcer enforcer, Duration minSyncPeriod) {
    this.client = client;
    this.compiler = new NetworkPolicyCompiler(nodeName);
    this.enforcer = enforcer;
    this.minSyncPeriod = minSyncPeriod;
  }

  /**
   * Starts the informers and the sync loop without waiting for the informers' first lists: the
   * first sync runs once all three have listed. An informer whose first list fails (e.g. the proxy
   * may not list network policies) is logged and nothing is enforced.
   */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    namespaces = start("namespaces", client.namespaces().runnableInformer(0));
    policies =
        start(
            "networkpolicies",
            client.network().v1().networkPolicies().inAnyNamespace().runnableInformer(0));
    pods = start("pods", client.pods().inAnyNamespace().runnableInformer(0));
    loop = Thread.ofVirtual().name("network-policy-sync").start(this::syncLoop);
  }

  private <T> SharedIndexInformer<T> start(String resource, SharedIndexInformer<T> informer) {
    informer.addEventHandler(handler());
    informer
        .start()
        .whenComplete(
            (ok, error) -> {
              if (error != null && running) {
                log.warn(
                    "network policies not enforced, cannot watch {} error=\"{}\"",
                    resource,
                    error.getMessage());
              } else {
                changed();
              }
            });
    return informer;
  }

  private boolean informersSynced() {
    return namespaces.hasSynced() && policies.hasSynced() && pods.hasSynced();
  }

  /** The policies of the last successful sync, or null before the first. */
  public CompiledPolicies appliedPolicies() {
    return applied.get();
  }

  private <T> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        changed();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        changed();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        changed();
      }
    };
  }

  private void changed() {
    generation.incrementAndGet();
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private void syncLoop() {
    long minSyncNanos = minSyncPeriod.toNanos();
    long synced = -1;
    long lastSync = System.nanoTime() - minSyncNanos;
    try {
      while (running) {
        synchronized (signal) {
          while (running && (generation.get() == synced || !informersSynced())) {
            signal.wait();
          }
        }
        long wait = lastSync + minSyncNanos - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (!running) {
          return;
        }
        long current = generation.get();
        lastSync = System.nanoTime();
        try {
          CompiledPolicies compiled =
              compiler.compile(
                  pods.getStore().list(), namespaces.getStore().list(), policies.getStore().list());
          enforcer.sync(compiled);
          synced = current;
          applied.set(compiled);
        } catch (RuntimeException e) {
          if (!running) {
            return;
          }
          log.warn("network policy sync failed, retrying error=\"{}\"", e.getMessage());
          // retry after minSyncPeriod even without a new event
          synced = -1;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    List<SharedIndexInformer<?>> all = new ArrayList<>();
    for (SharedIndexInformer<?> informer :
        new SharedIndexInformer<?>[] {pods, namespaces, policies}) {
      if (informer != null) {
        all.add(informer);
      }
    }
    all.forEach(SharedIndexInformer::close);
    synchronized (signal) {
      signal.notifyAll();
    }
    if (loop != null) {
      loop.interrupt();
      try {
        loop.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
