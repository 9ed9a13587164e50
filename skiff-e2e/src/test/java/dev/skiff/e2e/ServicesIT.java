package dev.skiff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.testing.Kubectl;
import dev.skiff.testing.SkiffServerProcess;
import dev.skiff.testing.node.ExecResult;
import dev.skiff.testing.node.NetnsCluster;
import dev.skiff.testing.node.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Services across two nodes, each in its own network namespace: {@code skiff server} (with its
 * local agent) in node 0, {@code skiff agent} in node 1. A busybox httpd Deployment spread one pod
 * per node behind {@code kubectl expose}; a client pod on node 1 reaches it by DNS name (cluster
 * DNS 10.43.0.10 through kube-proxy to the node DNS servers) and sees every endpoint; a NodePort on
 * node 0 answers from node 1's namespace; a LoadBalancer gets both node IPs from servicelb and
 * answers on node 0's IP from node 1's namespace.
 */
class ServicesIT {
  private static final String WEB_POD_SPEC =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            terminationGracePeriodSeconds: 1
            affinity:
              podAntiAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                - labelSelector:
                    matchLabels:
                      app: web
                  topologyKey: kubernetes.io/hostname
            containers:
            - name: httpd
              image: %s
              imagePullPolicy: IfNotPresent
              command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
              ports:
              - containerPort: 80
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: client
      spec:
        terminationGracePeriodSeconds: 1
        nodeSelector:
          kubernetes.io/hostname: n1
        containers:
        - name: client
          image: %s
          imagePullPolicy: IfNotPresent
          command: ["sleep", "3600"]
      """
          .formatted(TestImages.BUSYBOX, TestImages.BUSYBOX);

  private static NetnsCluster cluster;
  private static NetnsCluster.Node node0;
  private static NetnsCluster.Node node1;
  private static Process server;
  private static Process agent;
  private static Path serverLog;
  private static Path agentLog;
  private static Kubectl kubectl;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = NetnsCluster.create(2);
    node0 = cluster.node(1);
    node1 = cluster.node(2);
    Path d0 = cluster.workDir().resolve("d0");
    Path d1 = cluster.workDir().resolve("d1");
    for (Path dataDir : List.of(d0, d1)) {
      Path images = Files.createDirectories(dataDir.resolve("agent").resolve("images"));
      Files.copy(
          TestImages.busybox(), images.resolve("busybox.tar"), StandardCopyOption.REPLACE_EXISTING);
    }
    Path kubeconfig = d0.resolve("admin.kubeconfig");
    List<String> serverCommand = new ArrayList<>(SkiffServerProcess.javaCommand());
    serverCommand.addAll(
        List.of(
            "server",
            "--bind-address",
            node0.address(),
            "--node-ip",
            node0.address(),
            "--node-name",
            "n0",
            "--data-dir",
            d0.toString(),
            "--write-kubeconfig",
            kubeconfig.toString()));
    server = node0.start("skiff-server", serverCommand);
    serverLog = node0.log("skiff-server");
    kubectl = new Kubectl(kubeconfig, kubectlWrapper(d0).toString());
    await(
        "API server ready",
        Duration.ofSeconds(90),
        () ->
            Files.isRegularFile(d0.resolve("token"))
                && kubectl.run("get", "--raw", "/readyz").exitCode() == 0);

    List<String> agentCommand = new ArrayList<>(SkiffServerProcess.javaCommand());
    agentCommand.addAll(
        List.of(
            "agent",
            "--server",
            "https://" + node0.address() + ":6443",
            "--token-file",
            d0.resolve("token").toString(),
            "--data-dir",
            d1.toString(),
            "--node-name",
            "n1",
            "--node-ip",
            node1.address()));
    agent = node1.start("skiff-agent", agentCommand);
    agentLog = node1.log("skiff-agent");
    for (String node : List.of("n0", "n1")) {
      await(
          "node " + node + " Ready",
          Duration.ofSeconds(120),
          () ->
              kubectl
                  .run(
                      "get",
                      "node",
                      node,
                      "-o",
                      "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
                  .stdout()
                  .equals("True"));
    }
    await(
        "kube-dns endpoints on both nodes",
        Duration.ofSeconds(60),
        () ->
            Set.of(
                    kubectl
                        .run(
                            "get",
                            "endpointslices",
                            "-n",
                            "kube-system",
                            "-l",
                            "kubernetes.io/service-name=kube-dns",
                            "-o",
                            "jsonpath={.items[*].endpoints[*].addresses[*]}")
                        .stdout()
                        .trim()
                        .split(" "))
                .equals(Set.of(node0.address(), node1.address())));
    await(
        "ServiceAccount default/default",
        Duration.ofSeconds(60),
        () -> kubectl.run("get", "serviceaccount", "default").exitCode() == 0);

    kubectl.run(WEB_POD_SPEC, Map.of(), "apply", "-f", "-").ok();
    kubectl.ok("expose", "deployment", "web", "--port", "80");
    kubectl.ok("rollout", "status", "deployment/web", "--timeout=120s");
    kubectl.ok("wait", "--for=condition=Ready", "pod/client", "--timeout=120s");
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (kubectl != null && server != null && server.isAlive()) {
        kubectl.run(
            "delete", "pods", "--all", "--all-namespaces", "--grace-period=1", "--timeout=30s");
      }
    } finally {
      for (Process process : Arrays.asList(agent, server)) {
        stop(process);
      }
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void podOnTheOtherNodeReachesEveryEndpointByServiceName() {
    Map<String, String> podNodes = new TreeMap<>();
    for (String line :
        kubectl
            .ok(
                "get",
                "pods",
                "-l",
                "app=web",
                "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{\"\\n\"}{end}")
            .strip()
            .split("\n")) {
      String[] parts = line.split(" ");
      podNodes.put(parts[0], parts[1]);
    }
    assertThat(podNodes.values()).containsExactlyInAnyOrder("n0", "n1");
    assertThat(kubectl.ok("get", "pod", "client", "-o", "jsonpath={.spec.nodeName}"))
        .isEqualTo("n1");

    // Both pods are Ready (rollout status), but the EndpointSlice and the iptables rules on node 1
    // follow a moment later: wait until the slice lists both, then until the client has seen both.
    await(
        "EndpointSlice of web with both pods ready",
        Duration.ofSeconds(60),
        () ->
            Set.of(
                    kubectl
                        .run(
                            "get",
                            "endpointslices",
                            "-l",
                            "kubernetes.io/service-name=web",
                            "-o",
                            "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].targetRef.name}")
                        .stdout()
                        .trim()
                        .split(" "))
                .equals(podNodes.keySet()));
    // Routes between the nodes' pod networks and the proxy rules converge asynchronously: poll
    // with short batches until one whole batch is answered, every answer from a web pod, both
    // pods among them. Every batch is kept for the failure message.
    Map<String, Long> counts = new TreeMap<>();
    List<String> outputs = new ArrayList<>();
    try {
      await(
          "client on n1 reaching both web pods by service name",
          Duration.ofSeconds(90),
          () -> {
            String output =
                kubectl
                    .ok(
                        "exec",
                        "client",
                        "--",
                        "sh",
                        "-c",
                        "for i in $(seq 1 20); do timeout 3 wget -qO-"
                            + " http://web.default.svc.cluster.local || echo FAILED; done")
                    .strip();
            outputs.add(output);
            counts.clear();
            output.lines().forEach(line -> counts.merge(line.strip(), 1L, Long::sum));
            return counts.keySet().equals(podNodes.keySet());
          });
    } catch (IllegalStateException e) {
      // what node 1's kube-proxy programmed, its routes and what the API says, to tell a stale
      // proxy from a network that does not carry the traffic
      throw new AssertionError(
          "last answers "
              + counts
              + " from pods "
              + podNodes
              + "\nbatches:\n"
              + String.join("\n---\n", outputs)
              + "\nnode 1 nat table:\n"
              + node1.exec("iptables-save", "-t", "nat").stdout()
              + "\nnode 1 routes:\n"
              + node1.exec("ip", "route").stdout()
              + "\nnode 0 routes:\n"
              + node0.exec("ip", "route").stdout()
              + "\nslices:\n"
              + kubectl.run("get", "endpointslices", "-o", "yaml").stdout()
              + "\npods:\n"
              + kubectl.run("get", "pods", "-o", "wide").stdout(),
          e);
    }
    assertThat(counts.keySet()).as(String.join("\n---\n", outputs)).isEqualTo(podNodes.keySet());
    assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(20L);
  }

  @Test
  void nodePortOnNodeZeroAnswersFromNodeOne() {
    kubectl.ok(
        "expose", "deployment", "web", "--name", "web-np", "--type", "NodePort", "--port", "80");
    String nodePort =
        kubectl.ok("get", "service", "web-np", "-o", "jsonpath={.spec.ports[0].nodePort}").strip();
    assertThat(Integer.parseInt(nodePort)).isBetween(30000, 32767);
    Set<String> pods =
        Set.of(
            kubectl
                .ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}")
                .strip()
                .split(" "));

    String[] answer = new String[1];
    await(
        "NodePort " + nodePort + " from node 1",
        Duration.ofSeconds(30),
        () -> {
          ExecResult result =
              node1.exec(
                  "busybox",
                  "timeout",
                  "5",
                  "busybox",
                  "wget",
                  "-qO-",
                  "http://" + node0.address() + ":" + nodePort + "/");
          answer[0] = result.stdout().strip();
          return result.succeeded();
        });
    assertThat(pods).contains(answer[0]);
  }

  @Test
  void loadBalancerListsBothNodeIpsAndAnswersOnNodeZeroFromNodeOne() {
    kubectl.ok(
        "expose",
        "deployment",
        "web",
        "--type",
        "LoadBalancer",
        "--name",
        "web-lb",
        "--port",
        "8080",
        "--target-port",
        "80");
    await(
        "servicelb ingress of web-lb on both nodes",
        Duration.ofSeconds(30),
        () ->
            Set.of(
                    kubectl
                        .run(
                            "get",
                            "service",
                            "web-lb",
                            "-o",
                            "jsonpath={.status.loadBalancer.ingress[*].ip}")
                        .stdout()
                        .trim()
                        .split(" "))
                .equals(Set.of(node0.address(), node1.address())));
    String row = kubectl.ok("get", "service", "web-lb", "--no-headers");
    assertThat(row.split("\\s+")[3].split(","))
        .as("EXTERNAL-IP of " + row)
        .containsExactlyInAnyOrder(node0.address(), node1.address());
    assertThat(
            kubectl.ok(
                "get",
                "service",
                "web-lb",
                "-o",
                "jsonpath={.status.loadBalancer.ingress[*].ipMode}"))
        .isEqualTo("VIP VIP");
    String nodePort =
        kubectl.ok("get", "service", "web-lb", "-o", "jsonpath={.spec.ports[0].nodePort}").strip();
    assertThat(Integer.parseInt(nodePort))
        .as("allocateLoadBalancerNodePorts")
        .isBetween(30000, 32767);
    Set<String> pods =
        Set.of(
            kubectl
                .ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}")
                .strip()
                .split(" "));

    String[] answer = new String[1];
    await(
        "LoadBalancer " + node0.address() + ":8080 from node 1",
        Duration.ofSeconds(30),
        () -> {
          ExecResult result =
              node1.exec(
                  "busybox",
                  "timeout",
                  "5",
                  "busybox",
                  "wget",
                  "-qO-",
                  "http://" + node0.address() + ":8080/");
          answer[0] = result.stdout().strip();
          return result.succeeded();
        });
    assertThat(pods).contains(answer[0]);
  }

  private static Path kubectlWrapper(Path dir) {
    Path script = dir.resolve("kubectl-n0");
    try {
      Files.createDirectories(dir);
      Files.writeString(
          script,
          "#!/bin/sh\nexec nsenter --net="
              + node0.netnsPath()
              + " -- "
              + System.getenv().getOrDefault("SKIFF_KUBECTL", "kubectl")
              + " \"$@\"\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier done) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (done.getAsBoolean()) {
        return;
      }
      for (Process process : Arrays.asList(server, agent)) {
        if (process != null && !process.isAlive()) {
          throw new IllegalStateException(
              "a skiff process exited with " + process.exitValue() + ":\n" + logs());
        }
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no " + what + " within " + timeout + ":\n" + logs());
  }

  private static String logs() {
    StringBuilder out = new StringBuilder();
    for (Path log : Arrays.asList(serverLog, agentLog)) {
      if (log == null) {
        continue;
      }
      try {
        List<String> lines = Files.readAllLines(log);
        out.append("--- ").append(log).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 60), lines.size())
            .forEach(l -> out.append(l).append('\n'));
      } catch (IOException e) {
        out.append("(no ").append(log).append(")\n");
      }
    }
    return out.toString();
  }

  private static void stop(Process process) {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
