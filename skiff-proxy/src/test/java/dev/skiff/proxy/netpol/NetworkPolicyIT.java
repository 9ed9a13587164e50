package dev.skiff.proxy.netpol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.proxy.CommandRunner;
import dev.skiff.proxy.KubeProxy;
import dev.skiff.proxy.ProxyMode;
import dev.skiff.proxy.ProxyOptions;
import dev.skiff.proxy.TestNetns;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * NetworkPolicy end to end on one node: a "node" network namespace with a bridge and three "pod"
 * namespaces on it (busybox httpd in the web pod, busybox wget as the client), the proxy with its
 * policy controller against the in-process API server applying rules inside the node namespace.
 * Pod-to-pod traffic is bridged, so this also proves br_netfilter hands it to the filter.
 */
class NetworkPolicyIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final String WEB_IP = "10.42.0.11";
  private static final List<TestNetns> created = new ArrayList<>();
  private static final List<Process> servers = new ArrayList<>();

  private TestNetns node;
  private TestNetns clientPod;
  private TestNetns frontendPod;

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (Process server : servers) {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
    servers.clear();
    created.forEach(TestNetns::close);
    created.clear();
  }

  @AfterAll
  static void cleanUpLeftovers() {
    servers.forEach(Process::destroyForcibly);
    created.forEach(TestNetns::close);
  }

  @ParameterizedTest
  @EnumSource(
      value = ProxyMode.class,
      names = {"IPTABLES", "NFTABLES"})
  void denyAllThenAllowFromNamespaceThenEgressDnsOnly(ProxyMode mode) throws IOException {
    String tag = mode.flag().substring(0, 3);
    String nodeName = "node-" + tag;
    String appNs = "np-" + tag;
    String frontendNs = "np-" + tag + "-frontend";
    KubernetesClient client = cluster.client();
    client.namespaces().resource(namespace(appNs, Map.of())).create();
    client.namespaces().resource(namespace(frontendNs, Map.of("team", "frontend-" + tag))).create();

    wireNode();
    TestNetns webPod = attachPod("web", WEB_IP);
    clientPod = attachPod("cli", "10.42.0.10");
    frontendPod = attachPod("fe", "10.42.0.12");
    startHttpd(webPod);

    runningPod(client, appNs, "web", nodeName, WEB_IP, Map.of("app", "web"));
    runningPod(client, appNs, "client", nodeName, "10.42.0.10", Map.of("app", "client"));
    runningPod(client, frontendNs, "frontend", nodeName, "10.42.0.12", Map.of("app", "ui"));

    ProxyOptions options =
        ProxyOptions.defaults(nodeName)
            .withMode(mode)
            .withMinSyncPeriod(Duration.ofMillis(100))
            .withCommandRunner(node.runner());
    try (KubeProxy proxy = new KubeProxy(client, options)) {
      proxy.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> proxy.appliedNetworkPolicies() != null);
      assertThat(node.run("sysctl", "-n", BridgeNetfilter.SYSCTL).strip()).isEqualTo("1");

      // no policy: everyone reaches web
      await().atMost(Duration.ofSeconds(20)).until(() -> reachable(clientPod));
      assertThat(reachable(frontendPod)).isTrue();

      client
          .network()
          .v1()
          .networkPolicies()
          .resource(
              PolicyFixtures.policy(appNs, "deny-all", new LabelSelector())
                  .editSpec()
                  .withPolicyTypes("Ingress")
                  .endSpec()
                  .build())
          .create();
      await().atMost(Duration.ofSeconds(20)).until(() -> !reachable(clientPod));
      assertThat(reachable(frontendPod)).isFalse();
      assertThat(appliedRules(mode)).contains("not allowed by any policy");

      client
          .network()
          .v1()
          .networkPolicies()
          .resource(
              PolicyFixtures.policy(appNs, "allow-frontend", PolicyFixtures.selector("app", "web"))
                  .editSpec()
                  .addNewIngress()
                  .withFrom(
                      PolicyFixtures.namespaces(PolicyFixtures.selector("team", "frontend-" + tag)))
                  .endIngress()
                  .endSpec()
                  .build())
          .create();
      await().atMost(Duration.ofSeconds(20)).until(() -> reachable(frontendPod));
      assertThat(reachable(clientPod)).isFalse();

      // deleting the policies lifts the isolation
      client.network().v1().networkPolicies().inNamespace(appNs).delete();
      await().atMost(Duration.ofSeconds(20)).until(() -> reachable(clientPod));

      // egress: the frontend may only send DNS; the client in the other namespace is unaffected
      client
          .network()
          .v1()
          .networkPolicies()
          .resource(
              PolicyFixtures.policy(frontendNs, "dns-only", new LabelSelector())
                  .editSpec()
                  .withPolicyTypes("Egress")
                  .addNewEgress()
                  .withPorts(PolicyFixtures.port("UDP", 53), PolicyFixtures.port("TCP", 53))
                  .endEgress()
                  .endSpec()
                  .build())
          .create();
      await().atMost(Duration.ofSeconds(20)).until(() -> !reachable(frontendPod));
      assertThat(reachable(clientPod)).isTrue();
    }
  }

  private String appliedRules(ProxyMode mode) {
    return mode == ProxyMode.IPTABLES
        ? node.run("iptables-save", "-t", "filter")
        : node.run("nft", "list", "table", "ip", NftablesPolicyRules.TABLE);
  }

  private static io.fabric8.kubernetes.api.model.Namespace namespace(
      String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  private static void runningPod(
      KubernetesClient client,
      String ns,
      String name,
      String node,
      String ip,
      Map<String, String> labels) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("main")
            .withImage("busybox")
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .endPort()
            .endContainer()
            .endSpec()
            .build();
    Pod created = client.pods().inNamespace(ns).resource(pod).create();
    created.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withPodIP(ip)
            .addNewPodIP()
            .withIp(ip)
            .endPodIP()
            .build());
    client.pods().inNamespace(ns).resource(created).updateStatus();
  }

  /** Whether busybox wget in {@code from} gets the web pod's page within a second. */
  private static boolean reachable(TestNetns from) {
    return fetch(from, WEB_IP);
  }

  private static boolean fetch(TestNetns from, String ip) {
    // busybox 1.35's wget -T crashes; coreutils' timeout bounds a dropped connect instead
    CommandRunner.Result result =
        from.runner()
            .run(
                List.of(
                    "timeout", "1", "busybox", "wget", "-q", "-O", "-", "http://" + ip + ":8080/"),
                "");
    return result.ok() && result.stdout().contains("skiff-netpol");
  }

  private void wireNode() {
    node = track(TestNetns.create("skiff-npn"));
    node.run("ip", "link", "add", "br0", "type", "bridge");
    node.run("ip", "addr", "add", "10.42.0.1/24", "dev", "br0");
    node.run("ip", "link", "set", "br0", "up");
  }

  private TestNetns attachPod(String role, String ip) {
    TestNetns pod = track(TestNetns.create("skiff-np" + role));
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    String nodeEnd = "npn" + suffix;
    String podEnd = "npp" + suffix;
    node.run(
        "ip", "link", "add", nodeEnd, "type", "veth", "peer", "name", podEnd, "netns", pod.name());
    node.run("ip", "link", "set", nodeEnd, "master", "br0");
    node.run("ip", "link", "set", nodeEnd, "up");
    pod.run("ip", "addr", "add", ip + "/24", "dev", podEnd);
    pod.run("ip", "link", "set", podEnd, "up");
    pod.run("ip", "route", "add", "default", "via", "10.42.0.1");
    return pod;
  }

  private static void startHttpd(TestNetns pod) throws IOException {
    Path root = Files.createTempDirectory("skiff-netpol-www");
    root.toFile().deleteOnExit();
    Files.writeString(root.resolve("index.html"), "skiff-netpol\n");
    root.resolve("index.html").toFile().deleteOnExit();
    Process httpd =
        new ProcessBuilder(
                "nsenter",
                "--net=/run/netns/" + pod.name(),
                "--",
                "busybox",
                "httpd",
                "-f",
                "-p",
                "8080",
                "-h",
                root.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    servers.add(httpd);
    await().atMost(Duration.ofSeconds(10)).until(() -> fetch(pod, "127.0.0.1"));
  }

  private static TestNetns track(TestNetns netns) {
    created.add(netns);
    return netns;
  }
}
