package dev.skiff.proxy;

import dev.skiff.proxy.iptables.IptablesProxier;
import dev.skiff.proxy.netpol.BridgeNetfilter;
import dev.skiff.proxy.netpol.IptablesPolicyEnforcer;
import dev.skiff.proxy.netpol.NetworkPolicyController;
import dev.skiff.proxy.netpol.NftablesPolicyEnforcer;
import dev.skiff.proxy.nftables.NftablesProxier;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServiceChangeTracker;
import dev.skiff.proxy.userspace.UserspaceProxier;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy: watches Services, EndpointSlices and this Node through the API server and keeps the
 * node's service routing (iptables, nftables or a userspace proxy) in line with them.
 *
 * <p>Every informer event records the change in a {@link ServiceChangeTracker} and wakes the sync
 * loop, which applies a snapshot at most once per {@code minSyncPeriod}: changes arriving in
 * between are coalesced into one sync. A failed sync is retried after {@code minSyncPeriod} as a
 * full sync.
 *
 * <p>In the iptables and nftables modes it also enforces NetworkPolicies for the node's pods
 * (unless {@link ProxyOptions#networkPolicy()} is off), with a {@link NetworkPolicyController}.
 */
public final class KubeProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeProxy.class);

  private final KubernetesClient client;
  private final ProxyOptions options;
  private final ServiceChangeTracker tracker;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final Object signal = new Object();
  private final AtomicReference<String> nodePodCidr = new AtomicReference<>();
  private final AtomicReference<ProxyState> applied = new AtomicReference<>();
  private volatile boolean running;
  private Proxier proxier;
  private NetworkPolicyController networkPolicies;
  private Thread loop;

  public KubeProxy(KubernetesClient client, ProxyOptions options) {
    this.client = client;
    this.options = options;
    this.tracker = new ServiceChangeTracker(options.nodeName());
  }

  /** Starts the informers, waits for their first lists, and starts the sync loop. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    informers.add(
        client.nodes().withName(options.nodeName()).inform(handler(this::nodeChanged, n -> {})));
    String clusterCidr = options.clusterCidr();
    if (clusterCidr == null) {
      clusterCidr = nodePodCidr.get();
      if (clusterCidr == null) {
        throw new IllegalStateException(
            "no --cluster-cidr and node " + options.nodeName() + " has no spec.podCIDR");
      }
    }
    proxier =
        switch (options.mode()) {
          case IPTABLES -> new IptablesProxier(options.commandRunner(), clusterCidr);
          case NFTABLES -> new NftablesProxier(options.commandRunner(), clusterCidr);
          case USERSPACE -> new UserspaceProxier();
        };
    informers.add(
        client
            .services()
            .inAnyNamespace()
            .inform(handler(tracker::serviceChanged, tracker::serviceDeleted)));
    informers.add(
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inAnyNamespace()
            .inform(handler(tracker::sliceChanged, tracker::sliceDeleted)));
    loop = Thread.ofVirtual().name("kube-proxy-sync").start(this::syncLoop);
    if (options.networkPolicy() && options.mode() != ProxyMode.USERSPACE) {
      BridgeNetfilter.enable(options.commandRunner());
      networkPolicies =
          new NetworkPolicyController(
              client,
              options.nodeName(),
              options.mode() == ProxyMode.IPTABLES
                  ? new IptablesPolicyEnforcer(options.commandRunner())
                  : new NftablesPolicyEnforcer(options.commandRunner()),
              options.minSyncPeriod());
      // does not wait for its informers: an identity that may not watch them only logs a warning
      networkPolicies.start();
    }
    log.info(
        "kube-proxy started node={} mode={} clusterCIDR={} minSyncPeriod={}",
        options.nodeName(),
        options.mode().flag(),
        clusterCidr,
        options.minSyncPeriod());
  }

  /** The state of the last successful sync, or null before the first. */
  public ProxyState appliedState() {
    return applied.get();
  }

  /** The network policies of the last successful sync; null before it or when not enforced. */
  public dev.skiff.proxy.netpol.CompiledPolicies appliedNetworkPolicies() {
    return networkPolicies == null ? null : networkPolicies.appliedPolicies();
  }

  private void nodeChanged(Node node) {
    if (node.getSpec() != null && node.getSpec().getPodCIDR() != null) {
      nodePodCidr.set(node.getSpec().getPodCIDR());
    }
  }

  private <T> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        changed.accept(obj);
        wake();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        changed.accept(newObj);
        wake();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        deleted.accept(obj);
        wake();
      }
    };
  }

  private void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private void syncLoop() {
    long minSyncNanos = options.minSyncPeriod().toNanos();
    long syncedGeneration = -1;
    long lastSync = System.nanoTime() - minSyncNanos;
    try {
      while (running) {
        synchronized (signal) {
          while (running && tracker.generation() == syncedGeneration) {
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
        long generation = tracker.generation();
        ProxyState state = tracker.snapshot();
        lastSync = System.nanoTime();
        try {
          proxier.sync(state);
          syncedGeneration = generation;
          applied.set(state);
          log.debug(
              "kube-proxy synced services={} took_ms={}",
              state.services().size(),
              (System.nanoTime() - lastSync) / 1_000_000);
        } catch (RuntimeException e) {
          log.warn("kube-proxy sync failed, retrying error=\"{}\"", e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
    if (networkPolicies != null) {
      networkPolicies.close();
    }
    wake();
    if (loop != null) {
      loop.interrupt();
      try {
        loop.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (proxier != null) {
      proxier.close();
    }
  }
}
