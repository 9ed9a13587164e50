package dev.skiff.cli;

import dev.skiff.client.events.ClientEventRecorder;
import dev.skiff.client.events.EventCorrelator;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.dns.DnsOptions;
import dev.skiff.dns.DnsServer;
import dev.skiff.kubelet.Kubelet;
import dev.skiff.kubelet.KubeletOptions;
import dev.skiff.kubelet.agent.NodeBootstrap;
import dev.skiff.kubelet.agent.ServingCertificate;
import dev.skiff.kubelet.config.DefaultPodRuntimeConfig;
import dev.skiff.kubelet.config.PodRuntimeOptions;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.StatusRequest;
import dev.skiff.kubelet.cri.v1.StatusResponse;
import dev.skiff.kubelet.eviction.NodePressure;
import dev.skiff.kubelet.eviction.Threshold;
import dev.skiff.kubelet.image.ImageGarbageCollector;
import dev.skiff.kubelet.image.ImageImporter;
import dev.skiff.kubelet.network.PodNetwork;
import dev.skiff.kubelet.network.PodNetworkOptions;
import dev.skiff.kubelet.node.Fabric8NodeApi;
import dev.skiff.kubelet.node.HeartbeatLoop;
import dev.skiff.kubelet.node.HostNodeConfig;
import dev.skiff.kubelet.node.NodeConfig;
import dev.skiff.kubelet.node.NodeHealth;
import dev.skiff.kubelet.node.NodeHeartbeat;
import dev.skiff.kubelet.pod.Fabric8PodApi;
import dev.skiff.kubelet.pod.ProbeRelay;
import dev.skiff.kubelet.prober.LifecycleHookRunner;
import dev.skiff.kubelet.prober.ProbeManager;
import dev.skiff.kubelet.runtime.ContainerdOptions;
import dev.skiff.kubelet.runtime.ContainerdSupervisor;
import dev.skiff.kubelet.runtime.HostPrerequisites;
import dev.skiff.kubelet.server.KubeletServer;
import dev.skiff.kubelet.server.KubeletServerOptions;
import dev.skiff.proxy.CommandRunner;
import dev.skiff.proxy.KubeProxy;
import dev.skiff.proxy.ProxyMode;
import dev.skiff.proxy.ProxyOptions;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node (k3s' agent): joins the cluster with its token, supervises containerd, registers the Node
 * and keeps its Lease, runs pods through CRI (the kubelet), serves the kubelet API on 10250, writes
 * the pod network's CNI config and routes, and runs kube-proxy and the cluster DNS server. Each
 * part is an API client with the node's identity; nothing here touches the store.
 */
final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

  /** What the agent flags say. */
  record Options(
      String serverUrl,
      String token,
      Path kubeconfig,
      Path dataDir,
      String nodeName,
      String nodeIp,
      Map<String, String> labels,
      List<Taint> taints,
      String runtimeEndpoint,
      int maxPods,
      Map<String, Quantity> kubeReserved,
      Map<String, Quantity> systemReserved,
      String clusterDns,
      String clusterDomain,
      String clusterCidr,
      String flannelBackend,
      String proxyMode,
      int kubeletPort,
      boolean controlPlane,
      boolean withProxy,
      boolean withDns,
      Path podManifestPath,
      List<Threshold> evictionHard,
      ImageGarbageCollector.Policy imageGc) {}

  private final List<AutoCloseable> parts = Collections.synchronizedList(new ArrayList<>());
  private volatile String notReadyReason = "container runtime is starting";

  private NodeAgent() {}

  /** Starts every part; a failure stops what started and is rethrown with a one-line reason. */
  static NodeAgent start(Options options) {
    NodeAgent agent = new NodeAgent();
    try {
      agent.run(options);
      return agent;
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
  }

  private void run(Options options) {
    Path agentDir = options.dataDir().resolve("agent");
    Path kubeconfig =
        options.kubeconfig() != null
            ? options.kubeconfig()
            : NodeBootstrap.ensureKubeconfig(
                options.serverUrl(),
                options.token(),
                options.nodeName(),
                agentDir,
                Duration.ofMinutes(2));
    KubernetesClient client = client(kubeconfig);
    parts.add(client);
    String nodeIp = options.nodeIp() != null ? options.nodeIp() : HostNodeConfig.firstIpv4Address();

    HostPrerequisites.Result prerequisites =
        options.runtimeEndpoint() != null
            ? null
            : HostPrerequisites.forHost(ContainerdOptions.DEFAULT_CNI_BIN_DIR).ensure();
    if (prerequisites != null && !prerequisites.satisfied()) {
      // the node registers NotReady and says what to install
      LOG.warn("event=node_prerequisites_missing message=\"{}\"", prerequisites.message());
      startHeartbeat(options, client, nodeIp, "unknown", () -> prerequisites.nodeHealth());
      return;
    }

    ContainerdOptions containerd = ContainerdOptions.defaults(options.dataDir());
    if (options.runtimeEndpoint() != null) {
      containerd = containerd.withExistingEndpoint(options.runtimeEndpoint());
    }
    ContainerdSupervisor supervisor = new ContainerdSupervisor(containerd).start();
    parts.add(supervisor);
    String socket = CriClient.socketPath(supervisor.endpoint()).toString();
    ImageImporter images =
        new ImageImporter("ctr", supervisor.snapshotter(), java.time.Duration.ofMinutes(5));
    images.ensurePauseImage(socket);
    images.importDirectory(agentDir.resolve("images"), socket);

    CriClient cri = CriClient.connect(supervisor.endpoint());
    parts.add(cri);
    String runtimeVersion = "containerd://" + cri.version().getRuntimeVersion();

    // the heartbeat starts before the kubelet whose eviction manager adds the pressure conditions
    AtomicReference<Kubelet> kubeletRef = new AtomicReference<>();
    NodeConfig node =
        startHeartbeat(
            options,
            client,
            nodeIp,
            runtimeVersion,
            () -> {
              Kubelet started = kubeletRef.get();
              return started == null ? health(cri) : started.withPressure(health(cri));
            });

    PodNetworkOptions network =
        PodNetworkOptions.defaults(options.nodeName(), options.dataDir())
            .withClusterCidr(options.clusterCidr())
            .withBackend(PodNetworkOptions.Backend.parse(options.flannelBackend()));
    Thread.ofVirtual()
        .name("pod-network")
        .start(
            () -> {
              try {
                parts.add(PodNetwork.start(client, network));
              } catch (RuntimeException e) {
                notReadyReason = "pod network: " + e.getMessage();
                LOG.warn("event=pod_network_failed error=\"{}\"", e.toString());
              }
            });

    EventRecorder events =
        new ClientEventRecorder(
            client,
            "kubelet",
            options.nodeName(),
            InstantSource.system(),
            Executors.newSingleThreadExecutor(Thread.ofVirtual().name("kubelet-events").factory()),
            new EventCorrelator());
    ProbeRelay relay = new ProbeRelay();
    ProbeManager probes = new ProbeManager(cri, events, relay, relay);
    parts.add(probes);
    PodRuntimeOptions podOptions =
        PodRuntimeOptions.of(options.nodeName(), nodeIp, options.dataDir())
            .withClusterDns(List.of(options.clusterDns()), options.clusterDomain())
            .withResources(node.capacity(), node.allocatable());
    Kubelet kubelet =
        new Kubelet(
            client,
            options.nodeName(),
            cri,
            new DefaultPodRuntimeConfig(podOptions, client),
            probes,
            new LifecycleHookRunner(cri, events),
            events,
            new Fabric8PodApi(client),
            KubeletOptions.defaults(List.of(nodeIp), relay)
                .withPodManifestPath(options.podManifestPath())
                .withNodePressure(
                    NodePressure.forHost(
                        cri, options.dataDir(), options.evictionHard(), options.imageGc())));
    kubelet.start();
    kubeletRef.set(kubelet);
    parts.add(kubelet);

    ServingCertificate serving =
        ServingCertificate.loadOrCreate(agentDir, options.nodeName(), List.of(nodeIp));
    KubeletServer server =
        new KubeletServer(
            new KubeletServerOptions(
                options.nodeName(),
                "0.0.0.0",
                options.kubeletPort(),
                serving.certificatePem(),
                serving.keyPem(),
                clusterCaPem(client),
                10L * 1024 * 1024,
                5,
                Path.of("/proc"),
                Path.of("/sys/fs/cgroup")),
            client,
            cri,
            kubelet::pods);
    server.start();
    parts.add(server);

    if (options.withProxy()) {
      KubeProxy proxy =
          new KubeProxy(
              client,
              new ProxyOptions(
                  options.nodeName(),
                  ProxyMode.parse(options.proxyMode()),
                  options.clusterCidr(),
                  Duration.ofSeconds(1),
                  CommandRunner.host()));
      proxy.start();
      parts.add(proxy);
    }
    if (options.withDns()) {
      try {
        DnsServer dns =
            new DnsServer(
                client,
                new DnsOptions(
                    InetAddress.getByName(nodeIp),
                    53,
                    options.clusterDomain(),
                    List.of(),
                    DnsOptions.DEFAULT_TTL));
        dns.start();
        parts.add(dns);
      } catch (IOException e) {
        LOG.warn("event=dns_not_started error=\"{}\"", e.toString());
      }
    }
    LOG.info(
        "event=agent_started node={} ip={} runtime={} endpoint={}",
        options.nodeName(),
        nodeIp,
        runtimeVersion,
        supervisor.endpoint());
  }

  private NodeConfig startHeartbeat(
      Options options,
      KubernetesClient client,
      String nodeIp,
      String runtimeVersion,
      java.util.function.Supplier<NodeHealth> health) {
    NodeConfig node =
        HostNodeConfig.read(
            new HostNodeConfig.Options(
                options.nodeName(),
                nodeIp,
                options.labels(),
                options.taints(),
                options.dataDir(),
                options.maxPods(),
                options.kubeReserved(),
                options.systemReserved(),
                runtimeVersion,
                SkiffVersion.GIT_VERSION,
                options.kubeletPort(),
                options.controlPlane()));
    HeartbeatLoop loop = new HeartbeatLoop(2);
    parts.add(loop);
    loop.start(
        new NodeHeartbeat(node, health, new Fabric8NodeApi(client), Duration.ofSeconds(10)),
        Duration.ZERO);
    return node;
  }

  /** Ready when containerd's CRI says its runtime and network are ready, as the kubelet reports. */
  private NodeHealth health(CriClient cri) {
    try {
      StatusResponse status = cri.runtime(5).status(StatusRequest.getDefaultInstance());
      for (var condition : status.getStatus().getConditionsList()) {
        if (!condition.getStatus()) {
          return NodeHealth.notReady(
              "container runtime network not ready: "
                  + condition.getType()
                  + "=false reason:"
                  + condition.getReason()
                  + " message:"
                  + condition.getMessage());
        }
      }
      return NodeHealth.HEALTHY;
    } catch (RuntimeException e) {
      return NodeHealth.notReady(
          "container runtime is down: " + notReadyReason + " (" + e.getMessage() + ")");
    }
  }

  private static KubernetesClient client(Path kubeconfig) {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
          .build();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read kubeconfig " + kubeconfig + ": " + e);
    }
  }

  private static String clusterCaPem(KubernetesClient client) {
    Config config = client.getConfiguration();
    if (config.getCaCertData() != null) {
      return new String(Base64.getDecoder().decode(config.getCaCertData()), StandardCharsets.UTF_8);
    }
    try {
      return Files.readString(Path.of(config.getCaCertFile()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the cluster CA: " + e);
    }
  }

  @Override
  public void close() {
    List<AutoCloseable> reversed;
    synchronized (parts) {
      reversed = new ArrayList<>(parts);
    }
    Collections.reverse(reversed);
    for (AutoCloseable part : reversed) {
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("event=agent_part_close_failed part={} error=\"{}\"", part, e.toString());
      }
    }
  }
}
