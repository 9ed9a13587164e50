package dev.skiff.kubelet.sim;

import dev.skiff.kubelet.node.Fabric8NodeApi;
import dev.skiff.kubelet.node.HeartbeatLoop;
import dev.skiff.kubelet.node.NodeApi;
import dev.skiff.kubelet.node.NodeConfig;
import dev.skiff.kubelet.node.NodeHealth;
import dev.skiff.kubelet.node.NodeHeartbeat;
import dev.skiff.kubelet.node.NodeLeases;
import dev.skiff.kubelet.pod.Fabric8PodApi;
import dev.skiff.kubelet.pod.PodApi;
import dev.skiff.kubelet.pod.PodUsage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated nodes in one process, as {@code skiff sim-nodes} runs them: every node
 * registers and keeps its Lease and status fresh through {@link HeartbeatLoop}; one shared pod
 * informer (pods with a nodeName, filtered to our nodes) feeds a de-duplicating work queue whose
 * few virtual-thread workers apply {@link SimPods}' decisions through the API. One timer thread
 * serves heartbeats and pod wake-ups alike.
 */
public final class SimulatedNodes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedNodes.class);
  private static final int POD_WORKERS = 16;

  private final KubernetesClient client;
  private final SimNodeOptions options;
  private final Map<String, SimNode> nodes;
  private final Map<String, NodeHeartbeat> heartbeats;
  private final SimPods pods;
  private final PodApi podApi;
  private final ScheduledExecutorService timer = HeartbeatLoop.newTimer();
  private final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
  private final HeartbeatLoop loop;
  private final InstantSource clock = InstantSource.system();
  private final LinkedBlockingQueue<PodKey> queue = new LinkedBlockingQueue<>();
  private final Set<PodKey> queued = ConcurrentHashMap.newKeySet();
  private volatile SharedIndexInformer<Pod> informer;
  private final SimKubeletServer kubelets;
  private volatile boolean closed;

  private record PodKey(String namespace, String name) {}

  private SimulatedNodes(
      KubernetesClient client, SimNodeOptions options, InetAddress kubeletAddress) {
    this.client = client;
    this.options = options;
    this.loop = new HeartbeatLoop(timer, virtualThreads, clock, options.maxInFlight());
    this.kubelets =
        kubeletAddress == null
            ? null
            : new SimKubeletServer(kubeletAddress, this::podsOnNode, clock);
    NodeApi nodeApi = new Fabric8NodeApi(client);
    Map<String, SimNode> byName = new LinkedHashMap<>();
    Map<String, NodeHeartbeat> beats = new LinkedHashMap<>();
    for (int i = 0; i < options.count(); i++) {
      NodeConfig config = SimNode.config(options, i);
      if (kubelets != null) {
        config = servedAt(config, kubelets.address(), kubelets.listen(config.name()));
      }
      SimNode node = new SimNode(i, config);
      byName.put(node.name(), node);
      beats.put(
          node.name(),
          new NodeHeartbeat(
              node.config(), () -> NodeHealth.HEALTHY, nodeApi, options.statusReportFrequency()));
    }
    this.nodes = Collections.unmodifiableMap(byName);
    this.heartbeats = Collections.unmodifiableMap(beats);
    this.pods = new SimPods(this::nodeFor, options.podRunTime());
    this.podApi = new Fabric8PodApi(client);
  }

  /**
   * Registers the nodes and starts serving their pods; returns at once (see {@link
   * #awaitRegistered}).
   */
  public static SimulatedNodes start(KubernetesClient client, SimNodeOptions options) {
    return start(client, options, null);
  }

  /**
   * Like {@link #start(KubernetesClient, SimNodeOptions)}, with each node's kubelet API served on
   * its own port of {@code kubeletAddress} (a loopback address), which also becomes the node's
   * InternalIP: the API server then scrapes {@code /metrics/resource} from the simulated nodes as
   * from real ones, and metrics.k8s.io reports the usage pods declare in their {@code
   * sim.skiff.io/cpu-usage} and {@code sim.skiff.io/memory-usage} annotations.
   */
  public static SimulatedNodes start(
      KubernetesClient client, SimNodeOptions options, InetAddress kubeletAddress) {
    SimulatedNodes fleet = new SimulatedNodes(client, options, kubeletAddress);
    fleet.startPodInformer();
    int i = 0;
    for (NodeHeartbeat heartbeat : fleet.heartbeats.values()) {
      fleet.loop.start(
          heartbeat, HeartbeatLoop.spreadOffset(i++, options.count(), NodeLeases.RENEW_INTERVAL));
    }
    for (int w = 0; w < POD_WORKERS; w++) {
      fleet.virtualThreads.execute(fleet::work);
    }
    LOG.info("event=sim_nodes_started count={} prefix={}", options.count(), options.namePrefix());
    return fleet;
  }

  /** Waits until every node is registered and holds a lease; false on timeout. */
  public boolean awaitRegistered(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (registered() == nodes.size()) {
        return true;
      }
      Thread.sleep(50);
    }
    return registered() == nodes.size();
  }

  /** How many nodes are registered and hold a lease. */
  public int registered() {
    int n = 0;
    for (NodeHeartbeat heartbeat : heartbeats.values()) {
      if (heartbeat.node() != null && heartbeat.lease() != null) {
        n++;
      }
    }
    return n;
  }

  public List<String> nodeNames() {
    return new ArrayList<>(nodes.keySet());
  }

  /**
   * The usage a pod on our nodes declares ({@code sim.skiff.io/cpu-usage}, {@code
   * ...memory-usage}).
   */
  public Optional<PodUsage> podUsage(String namespace, String name) {
    return pods.usage(namespace, name);
  }

  /** How punctual lease renewals have been. */
  public HeartbeatLoop.Lateness heartbeatLateness() {
    return loop.lateness();
  }

  public SimNodeOptions options() {
    return options;
  }

  /** Stops heartbeats and pod handling; the nodes stay registered and their leases lapse. */
  @Override
  public void close() {
    closed = true;
    SharedIndexInformer<Pod> current = informer;
    if (current != null) {
      current.close();
    }
    loop.close();
    virtualThreads.shutdownNow();
    if (kubelets != null) {
      kubelets.close();
    }
  }

  /** The node's configuration with its kubelet reachable at {@code address:port}. */
  private static NodeConfig servedAt(NodeConfig config, String address, int port) {
    return new NodeConfig(
        config.name(),
        config.labels(),
        config.taints(),
        config.capacity(),
        config.allocatable(),
        List.of(new NodeAddress(address, "InternalIP"), new NodeAddress(config.name(), "Hostname")),
        config.nodeInfo(),
        port,
        config.podCidr());
  }

  /** The pods bound to one of our nodes, from the informer cache. */
  private List<Pod> podsOnNode(String node) {
    SharedIndexInformer<Pod> current = informer;
    if (current == null) {
      return List.of();
    }
    List<Pod> pods = new ArrayList<>();
    Set<String> uids = new HashSet<>();
    for (Pod pod : current.getStore().list()) {
      uids.add(pod.getMetadata().getUid());
      if (node.equals(pod.getSpec().getNodeName())) {
        pods.add(pod);
      }
    }
    kubelets.retainPods(uids);
    return pods;
  }

  private SimNode nodeFor(String name) {
    SimNode node = nodes.get(name);
    if (node != null) {
      NodeHeartbeat heartbeat = heartbeats.get(name);
      Node stored = heartbeat == null ? null : heartbeat.node();
      if (stored != null && stored.getSpec() != null) {
        node.useAssignedCidr(stored.getSpec().getPodCIDR());
      }
    }
    return node;
  }

  private void startPodInformer() {
    ResourceEventHandler<Pod> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            enqueueIfOurs(pod);
          }

          @Override
          public void onUpdate(Pod oldPod, Pod newPod) {
            enqueueIfOurs(newPod);
          }

          @Override
          public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            if (nodes.containsKey(pod.getSpec().getNodeName())) {
              pods.forget(pod.getMetadata().getUid());
              pods.forgetUsage(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            }
          }
        };
    // one watch for every pod bound anywhere; the node filter runs here, not one watch per node
    informer = client.pods().inAnyNamespace().withoutField("spec.nodeName", "").inform(handler, 0);
  }

  private void enqueueIfOurs(Pod pod) {
    if (pod.getSpec() != null && nodes.containsKey(pod.getSpec().getNodeName())) {
      enqueue(new PodKey(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
    }
  }

  private void enqueue(PodKey key) {
    if (!closed && queued.add(key)) {
      queue.add(key);
    }
  }

  private void enqueueAt(PodKey key, Instant at) {
    long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
    try {
      timer.schedule(() -> enqueue(key), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void work() {
    while (!closed) {
      PodKey key;
      try {
        key = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      queued.remove(key);
      try {
        sync(key);
      } catch (RuntimeException e) {
        LOG.info(
            "event=sim_pod_sync_failed pod={}/{} error=\"{}\"",
            key.namespace(),
            key.name(),
            e.getMessage());
        enqueueAt(key, clock.instant().plusSeconds(1));
      }
    }
  }

  private void sync(PodKey key) {
    Pod pod = informer.getStore().getByKey(key.namespace() + "/" + key.name());
    if (pod == null) {
      return;
    }
    SimPodAction action = pods.sync(pod, clock.instant());
    switch (action) {
      case SimPodAction.None none -> {}
      case SimPodAction.WakeAt wake -> enqueueAt(key, wake.at());
      case SimPodAction.ConfirmDeletion delete ->
          podApi.confirmDeletion(delete.namespace(), delete.name(), delete.uid());
      case SimPodAction.WriteStatus write -> {
        try {
          podApi.patchStatus(write.pod(), write.status());
        } catch (KubernetesClientException e) {
          if (e.getCode() == 404 || e.getCode() == 409) {
            return; // gone or replaced: its delete event cleans up
          }
          throw e;
        }
        pods.written(write.pod().getMetadata().getUid(), write.version());
        if (write.wakeAt() != null) {
          enqueueAt(key, write.wakeAt());
        }
      }
    }
  }
}
