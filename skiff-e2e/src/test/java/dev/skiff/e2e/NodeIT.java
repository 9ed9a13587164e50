package dev.skiff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.testing.Kubectl;
import dev.skiff.testing.node.NetnsCluster;
import dev.skiff.testing.node.NodeServer;
import dev.skiff.testing.node.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The real kubectl against `skiff server` with its local agent (real containerd, CNI bridge,
 * kubelet API) running from the fat jar in a network namespace, the busybox image imported from the
 * agent's image directory. One server serves every test of the class.
 */
class NodeIT {
  static final String NODE = "node-1";
  static NetnsCluster cluster;
  static NodeServer server;
  static Kubectl kubectl;

  @BeforeAll
  static void startNode() {
    cluster = NetnsCluster.create(1);
    try {
      server =
          NodeServer.start(
              cluster.node(1),
              cluster.workDir().resolve("data"),
              NODE,
              List.of(TestImages.busybox()));
      kubectl = server.kubectl();
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  @AfterAll
  static void stopNode() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      cluster.close();
    }
  }

  // ---- helpers ----

  static String apply(String yaml) {
    return kubectl.run(yaml, Map.of(), "apply", "-f", "-").ok();
  }

  static JsonNode pod(String name) {
    return Json.MAPPER.readTree(kubectl.ok("get", "pod", name, "-o", "json"));
  }

  static JsonNode awaitPod(String name, String what, Predicate<JsonNode> done) {
    return await(what + " of pod " + name, Duration.ofSeconds(90), () -> pod(name), done);
  }

  static <T> T await(
      String what, Duration timeout, java.util.function.Supplier<T> read, Predicate<T> done) {
    Instant deadline = Instant.now().plus(timeout);
    T last = null;
    while (Instant.now().isBefore(deadline)) {
      last = read.get();
      if (done.test(last)) {
        return last;
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no " + what + " within " + timeout + "; last: " + last);
  }

  static boolean ready(JsonNode pod) {
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if (condition.path("type").asString().equals("Ready")) {
        return condition.path("status").asString().equals("True");
      }
    }
    return false;
  }

  static JsonNode container(JsonNode pod, String name) {
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      if (status.path("name").asString().equals(name)) {
        return status;
      }
    }
    return Json.object();
  }

  static String podYaml(String name, String command) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sh", "-c", %s]
        """
        .formatted(name, TestImages.BUSYBOX, Json.MAPPER.writeValueAsString(command));
  }

  static List<String> eventReasons(String pod) {
    String out =
        kubectl.ok(
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=" + pod,
            "-o",
            "jsonpath={range .items[*]}{.reason}{\"\\n\"}{end}");
    return out.lines().toList();
  }

  static boolean inCidr(String ip, String cidr) {
    String[] parts = cidr.split("/");
    int bits = Integer.parseInt(parts[1]);
    long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
    return (ipv4(ip) & mask) == (ipv4(parts[0]) & mask);
  }

  static long ipv4(String ip) {
    long value = 0;
    for (String octet : ip.split("\\.")) {
      value = (value << 8) | Integer.parseInt(octet);
    }
    return value;
  }

  // ---- 1. a pod runs, its logs and status ----

  @Test
  void podRunsAndItsLogsAndStatusAreRead() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: logger
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %1$s
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "echo one; echo two; echo three; sleep 3600"]
          - name: second
            image: %1$s
            imagePullPolicy: Never
            command: ["sh", "-c", "echo from-second; sleep 3600"]
        """
            .formatted(TestImages.BUSYBOX));
    JsonNode pod = awaitPod("logger", "Ready", NodeIT::ready);

    assertThat(kubectl.ok("logs", "logger", "-c", "main")).isEqualTo("one\ntwo\nthree\n");
    assertThat(kubectl.ok("logs", "logger", "-c", "main", "--tail=1")).isEqualTo("three\n");
    assertThat(kubectl.ok("logs", "logger", "-c", "second")).isEqualTo("from-second\n");

    JsonNode status = pod.path("status");
    assertThat(status.path("phase").asString()).isEqualTo("Running");
    assertThat(pod.path("spec").path("nodeName").asString()).isEqualTo(NODE);
    assertThat(status.path("hostIP").asString()).isEqualTo(server.node().address());
    String podCidr = kubectl.ok("get", "node", NODE, "-o", "jsonpath={.spec.podCIDR}");
    String podIp = status.path("podIP").asString();
    assertThat(inCidr(podIp, podCidr)).as(podIp + " in " + podCidr).isTrue();
    assertThat(status.path("podIPs").get(0).path("ip").asString()).isEqualTo(podIp);
    for (String name : List.of("main", "second")) {
      JsonNode container = container(pod, name);
      assertThat(container.path("ready").asBoolean()).as(name + " ready").isTrue();
      assertThat(container.path("started").asBoolean()).as(name + " started").isTrue();
      assertThat(container.path("restartCount").asInt()).isZero();
      assertThat(container.path("image").asString()).isEqualTo(TestImages.BUSYBOX);
      assertThat(container.path("imageID").asString()).isNotEmpty();
      assertThat(container.path("containerID").asString()).startsWith("containerd://");
      assertThat(container.path("state").path("running").path("startedAt").asString()).isNotEmpty();
    }
  }

  // ---- 2. exec, cp, port-forward ----

  static void ensureShell() {
    if (kubectl.run("get", "pod", "shell").exitCode() != 0) {
      apply(podYaml("shell", "sleep 3600"));
    }
    awaitPod("shell", "Ready", NodeIT::ready);
  }

  @Test
  void execPropagatesTheExitCodeAndStdin() {
    ensureShell();
    Kubectl.Result exit3 = kubectl.run("exec", "shell", "--", "sh", "-c", "exit 3");
    assertThat(exit3.exitCode()).isEqualTo(3);
    assertThat(kubectl.ok("exec", "shell", "-c", "main", "--", "sh", "-c", "echo $((6*7))"))
        .isEqualTo("42\n");
    assertThat(kubectl.run("piped-in\n", Map.of(), "exec", "-i", "shell", "--", "cat").ok())
        .isEqualTo("piped-in\n");
  }

  @Test
  void execIntoAMissingContainerIsABadRequest() {
    ensureShell();
    Kubectl.Result result = kubectl.run("exec", "shell", "-c", "nope", "--", "true");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("BadRequest")
        .contains("container nope is not valid for pod shell");
  }

  @Test
  void cpCopiesFilesIntoAndOutOfAContainer() throws IOException {
    ensureShell();
    Path dir = Files.createDirectories(cluster.workDir().resolve("cp"));
    Path local = dir.resolve("in.txt");
    Files.writeString(local, "copied in\nsecond line\n");
    kubectl.ok("cp", local.toString(), "shell:/tmp/in.txt", "-c", "main");
    assertThat(kubectl.ok("exec", "shell", "--", "cat", "/tmp/in.txt"))
        .isEqualTo("copied in\nsecond line\n");

    kubectl.ok("exec", "shell", "--", "sh", "-c", "echo made inside > /tmp/out.txt");
    Path back = dir.resolve("out.txt");
    kubectl.ok("cp", "shell:/tmp/out.txt", back.toString(), "-c", "main");
    assertThat(Files.readString(back)).isEqualTo("made inside\n");
  }

  @Test
  void portForwardReachesAnHttpServerInThePod() throws Exception {
    apply(
        podYaml(
            "web",
            "mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 80 -h"
                + " /www"));
    awaitPod("web", "Ready", NodeIT::ready);
    Path log = cluster.workDir().resolve("port-forward.log");
    Process forward =
        new ProcessBuilder(server.kubectlCommand("port-forward", "pod/web", "18080:80"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await(
          "port-forward listening",
          Duration.ofSeconds(30),
          () -> readQuietly(log),
          out -> out.contains("Forwarding from 127.0.0.1:18080 -> 80"));
      var fetched =
          server.node().exec("busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:18080/");
      assertThat(fetched.exitCode()).as(fetched.stderr()).isZero();
      assertThat(fetched.stdout()).isEqualTo("hello-from-httpd\n");
    } finally {
      forward.destroy();
      forward.waitFor();
    }
  }

  @Test
  void attachStreamsTheOutputOfTheRunningProcess() throws Exception {
    apply(podYaml("ticker", "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 1; done"));
    awaitPod("ticker", "Ready", NodeIT::ready);
    Path log = cluster.workDir().resolve("attach.log");
    Process attach =
        new ProcessBuilder(server.kubectlCommand("attach", "ticker", "-c", "main"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      String seen =
          await(
              "attached output",
              Duration.ofSeconds(30),
              () -> readQuietly(log),
              out -> out.lines().filter(l -> l.startsWith("tick-")).count() >= 2);
      List<Integer> ticks =
          seen.lines()
              .filter(l -> l.matches("tick-\\d+"))
              .map(l -> Integer.parseInt(l.substring(5)))
              .toList();
      // attach streams what the process writes while attached, in order, and stays attached
      assertThat(ticks).isSorted();
      assertThat(ticks.get(1)).isEqualTo(ticks.get(0) + 1);
      assertThat(attach.isAlive()).isTrue();
    } finally {
      attach.destroy();
      attach.waitFor();
    }
  }

  static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  // ---- 3. failures: crash loop, missing image ----

  @Test
  void aCrashingContainerReachesCrashLoopBackOffWithGrowingRestarts() {
    apply(podYaml("crasher", "echo bye; exit 2"));
    JsonNode first =
        awaitPod(
            "crasher",
            "CrashLoopBackOff",
            p ->
                container(p, "main")
                    .path("state")
                    .path("waiting")
                    .path("reason")
                    .asString()
                    .equals("CrashLoopBackOff"));
    JsonNode status = container(first, "main");
    int restarts = status.path("restartCount").asInt();
    assertThat(restarts).isPositive();
    JsonNode terminated = status.path("lastState").path("terminated");
    assertThat(terminated.path("exitCode").asInt()).isEqualTo(2);
    assertThat(terminated.path("reason").asString()).isEqualTo("Error");
    assertThat(status.path("ready").asBoolean()).isFalse();
    assertThat(first.path("status").path("phase").asString()).isEqualTo("Running");
    // the last run's output stays readable while the container backs off, as on Kubernetes
    assertThat(terminated.path("containerID").asString()).startsWith("containerd://");
    assertThat(kubectl.ok("logs", "crasher", "--previous")).isEqualTo("bye\n");
    assertThat(kubectl.ok("logs", "crasher")).isEqualTo("bye\n");

    awaitPod(
        "crasher",
        "a restart after " + restarts,
        p -> container(p, "main").path("restartCount").asInt() > restarts);
    assertThat(eventReasons("crasher")).contains("BackOff");
  }

  @Test
  void anImageThatDoesNotExistBacksOffAndOtherPodsStillStart() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: ghost
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: skiff.local/does-not-exist:1.0
            imagePullPolicy: IfNotPresent
        """);
    awaitPod(
        "ghost",
        "ImagePullBackOff",
        p ->
            container(p, "main")
                .path("state")
                .path("waiting")
                .path("reason")
                .asString()
                .equals("ImagePullBackOff"));
    List<String> reasons =
        await(
            "image pull events",
            Duration.ofSeconds(30),
            () -> eventReasons("ghost"),
            r -> r.contains("Failed") && r.contains("BackOff"));
    assertThat(reasons).contains("Pulling", "Failed", "BackOff");

    apply(podYaml("after-ghost", "sleep 3600"));
    awaitPod("after-ghost", "Ready", NodeIT::ready);
    assertThat(pod("ghost").path("status").path("phase").asString()).isEqualTo("Pending");
  }

  // ---- 4. probes ----

  @Test
  void aFailingLivenessProbeRestartsTheContainer() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: live
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sh", "-c", "touch /tmp/healthy; sleep 3600"]
            livenessProbe:
              exec:
                command: ["cat", "/tmp/healthy"]
              periodSeconds: 1
              failureThreshold: 1
        """
            .formatted(TestImages.BUSYBOX));
    awaitPod("live", "Ready", NodeIT::ready);
    kubectl.ok("exec", "live", "--", "rm", "/tmp/healthy");
    awaitPod("live", "a restart", p -> container(p, "main").path("restartCount").asInt() >= 1);
    List<String> reasons =
        await(
            "Unhealthy and Killing events",
            Duration.ofSeconds(30),
            () -> eventReasons("live"),
            r -> r.contains("Unhealthy") && r.contains("Killing"));
    assertThat(reasons).contains("Unhealthy", "Killing");
    awaitPod("live", "Ready again", NodeIT::ready);
  }

  @Test
  void readinessFlipsTheReadyCondition() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: readiness
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sleep", "3600"]
            readinessProbe:
              exec:
                command: ["cat", "/tmp/ready"]
              periodSeconds: 1
              failureThreshold: 1
        """
            .formatted(TestImages.BUSYBOX));
    JsonNode running =
        awaitPod("readiness", "running", p -> container(p, "main").path("state").has("running"));
    assertThat(ready(running)).isFalse();
    kubectl.ok("exec", "readiness", "--", "touch", "/tmp/ready");
    awaitPod("readiness", "Ready", NodeIT::ready);
    kubectl.ok("exec", "readiness", "--", "rm", "/tmp/ready");
    JsonNode notReady = awaitPod("readiness", "not Ready", p -> !ready(p));
    assertThat(container(notReady, "main").path("ready").asBoolean()).isFalse();
    assertThat(container(notReady, "main").path("restartCount").asInt()).isZero();
  }

  @Test
  void aProbeOnAPortTheContainerDoesNotNameIsAnEventNotACrash() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: badport
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sleep", "3600"]
            readinessProbe:
              httpGet:
                port: missing
              periodSeconds: 1
        """
            .formatted(TestImages.BUSYBOX));
    await(
        "an Unhealthy event",
        Duration.ofSeconds(30),
        () -> eventReasons("badport"),
        r -> r.contains("Unhealthy"));
    String messages =
        kubectl.ok(
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=badport,reason=Unhealthy",
            "-o",
            "jsonpath={.items[*].message}");
    assertThat(messages).contains("Readiness probe");
    JsonNode pod = pod("badport");
    assertThat(ready(pod)).isFalse();
    assertThat(container(pod, "main").path("state").has("running")).isTrue();
    assertThat(container(pod, "main").path("restartCount").asInt()).isZero();
    // the kubelet keeps serving other pods
    ensureShell();
    assertThat(kubectl.ok("exec", "shell", "--", "echo", "still-fine")).isEqualTo("still-fine\n");
  }

  // ---- 5. init containers, sidecars, memory limits ----

  @Test
  void initContainerRunsToCompletionBeforeTheMainContainer() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: init
        spec:
          terminationGracePeriodSeconds: 1
          volumes:
          - name: work
            emptyDir: {}
          initContainers:
          - name: prepare
            image: %1$s
            imagePullPolicy: Never
            command: ["sh", "-c", "echo prepared > /work/marker"]
            volumeMounts:
            - {name: work, mountPath: /work}
          containers:
          - name: main
            image: %1$s
            imagePullPolicy: Never
            command: ["sh", "-c", "cat /work/marker; sleep 3600"]
            volumeMounts:
            - {name: work, mountPath: /work}
        """
            .formatted(TestImages.BUSYBOX));
    JsonNode pod = awaitPod("init", "Ready", NodeIT::ready);
    JsonNode init = pod.path("status").path("initContainerStatuses").get(0);
    assertThat(init.path("name").asString()).isEqualTo("prepare");
    assertThat(init.path("state").path("terminated").path("reason").asString())
        .isEqualTo("Completed");
    assertThat(init.path("state").path("terminated").path("exitCode").asInt()).isZero();
    assertThat(kubectl.ok("logs", "init", "-c", "main")).isEqualTo("prepared\n");
  }

  @Test
  void aSidecarKeepsRunningBesideTheMainContainer() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: sidecar
        spec:
          terminationGracePeriodSeconds: 1
          volumes:
          - name: shared
            emptyDir: {}
          initContainers:
          - name: side
            image: %1$s
            imagePullPolicy: Never
            restartPolicy: Always
            command: ["sh", "-c", "while true; do echo tick >> /shared/ticks; sleep 1; done"]
            volumeMounts:
            - {name: shared, mountPath: /shared}
          containers:
          - name: main
            image: %1$s
            imagePullPolicy: Never
            command: ["sleep", "3600"]
            volumeMounts:
            - {name: shared, mountPath: /shared}
        """
            .formatted(TestImages.BUSYBOX));
    JsonNode pod = awaitPod("sidecar", "Ready", NodeIT::ready);
    JsonNode side = pod.path("status").path("initContainerStatuses").get(0);
    assertThat(side.path("name").asString()).isEqualTo("side");
    assertThat(side.path("state").has("running")).as(side.toString()).isTrue();
    assertThat(side.path("started").asBoolean()).isTrue();
    assertThat(side.path("ready").asBoolean()).isTrue();
    assertThat(container(pod, "main").path("state").has("running")).isTrue();
    await(
        "sidecar ticks seen by the main container",
        Duration.ofSeconds(20),
        () -> kubectl.run("exec", "sidecar", "-c", "main", "--", "cat", "/shared/ticks").stdout(),
        out -> out.lines().count() >= 2);
  }

  @Test
  void exceedingTheMemoryLimitIsOomKilled() {
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: oom
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sh", "-c", "head -c 100m /dev/zero | tail"]
            resources:
              limits:
                memory: 20Mi
        """
            .formatted(TestImages.BUSYBOX));
    JsonNode pod =
        awaitPod("oom", "terminated", p -> container(p, "main").path("state").has("terminated"));
    JsonNode terminated = container(pod, "main").path("state").path("terminated");
    assertThat(terminated.path("reason").asString()).isEqualTo("OOMKilled");
    assertThat(terminated.path("exitCode").asInt()).isEqualTo(137);
    assertThat(
            awaitPod(
                    "oom",
                    "Failed",
                    p -> p.path("status").path("phase").asString().equals("Failed"))
                .path("status")
                .path("phase")
                .asString())
        .isEqualTo("Failed");
  }

  // ---- 6. volumes and env ----

  @Test
  void configMapSecretEmptyDirAndDownwardApiVolumesAndEnv() {
    apply(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
        data:
          greeting: hello
          color: blue
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: app-secret
        stringData:
          password: s3cret
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: vols
          labels:
            app: vols
            tier: test
        spec:
          terminationGracePeriodSeconds: 1
          volumes:
          - name: config
            configMap:
              name: app-config
          - name: secret
            secret:
              secretName: app-secret
          - name: shared
            emptyDir: {}
          - name: info
            downwardAPI:
              items:
              - path: labels
                fieldRef: {fieldPath: metadata.labels}
              - path: name
                fieldRef: {fieldPath: metadata.name}
              - path: mem
                resourceFieldRef: {containerName: writer, resource: limits.memory, divisor: 1Mi}
          containers:
          - name: writer
            image: %1$s
            imagePullPolicy: Never
            command: ["sh", "-c", "echo written-by-writer > /shared/note; sleep 3600"]
            resources:
              limits:
                memory: 64Mi
            volumeMounts:
            - {name: shared, mountPath: /shared}
          - name: reader
            image: %1$s
            imagePullPolicy: Never
            command: ["sleep", "3600"]
            env:
            - name: GREETING
              valueFrom:
                configMapKeyRef: {name: app-config, key: greeting}
            - name: PASSWORD
              valueFrom:
                secretKeyRef: {name: app-secret, key: password}
            - name: POD_NAME
              valueFrom:
                fieldRef: {fieldPath: metadata.name}
            - name: POD_IP
              valueFrom:
                fieldRef: {fieldPath: status.podIP}
            - name: NODE_NAME
              valueFrom:
                fieldRef: {fieldPath: spec.nodeName}
            envFrom:
            - prefix: CFG_
              configMapRef: {name: app-config}
            volumeMounts:
            - {name: config, mountPath: /etc/config}
            - {name: secret, mountPath: /etc/secret}
            - {name: shared, mountPath: /shared}
            - {name: info, mountPath: /etc/info}
        """
            .formatted(TestImages.BUSYBOX));
    JsonNode pod = awaitPod("vols", "Ready", NodeIT::ready);
    String podIp = pod.path("status").path("podIP").asString();

    assertThat(read("vols", "reader", "/etc/config/greeting")).isEqualTo("hello");
    assertThat(read("vols", "reader", "/etc/config/color")).isEqualTo("blue");
    assertThat(read("vols", "reader", "/etc/secret/password")).isEqualTo("s3cret");
    assertThat(read("vols", "reader", "/etc/info/name")).isEqualTo("vols");
    assertThat(read("vols", "reader", "/etc/info/labels"))
        .contains("app=\"vols\"")
        .contains("tier=\"test\"");
    assertThat(read("vols", "reader", "/etc/info/mem")).isEqualTo("64");
    await(
        "the writer's file in the reader",
        Duration.ofSeconds(20),
        () -> kubectl.run("exec", "vols", "-c", "reader", "--", "cat", "/shared/note").stdout(),
        out -> out.equals("written-by-writer\n"));

    List<String> env = kubectl.ok("exec", "vols", "-c", "reader", "--", "env").lines().toList();
    assertThat(env)
        .contains(
            "GREETING=hello",
            "PASSWORD=s3cret",
            "POD_NAME=vols",
            "POD_IP=" + podIp,
            "NODE_NAME=" + NODE,
            "CFG_greeting=hello",
            "CFG_color=blue");
  }

  static String read(String pod, String container, String file) {
    return kubectl.ok("exec", pod, "-c", container, "--", "cat", file);
  }

  // ---- 7. graceful termination, node lease ----

  @Test
  void deleteRunsThePreStopHookAndReturnsWhenThePodIsGone() throws IOException {
    Path out = Files.createDirectories(cluster.workDir().resolve("prestop"));
    apply(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: graceful
        spec:
          terminationGracePeriodSeconds: 30
          volumes:
          - name: out
            hostPath: {path: %2$s, type: Directory}
          containers:
          - name: main
            image: %1$s
            imagePullPolicy: Never
            command: ["sh", "-c", "trap 'echo term > /out/term; exit 0' TERM; while true; do sleep 1; done"]
            volumeMounts:
            - {name: out, mountPath: /out}
            lifecycle:
              preStop:
                exec:
                  command: ["sh", "-c", "echo pre-stop > /out/prestop; sleep 2; echo done >> /out/prestop"]
        """
            .formatted(TestImages.BUSYBOX, out));
    awaitPod("graceful", "Ready", NodeIT::ready);

    kubectl.ok("delete", "pod", "graceful", "--timeout=60s");

    assertThat(Files.readString(out.resolve("prestop"))).isEqualTo("pre-stop\ndone\n");
    assertThat(Files.readString(out.resolve("term"))).isEqualTo("term\n");
    Kubectl.Result gone = kubectl.run("get", "pod", "graceful");
    assertThat(gone.exitCode()).isNotZero();
    assertThat(gone.stderr()).contains("NotFound");
  }

  @Test
  void theNodeIsNotReadyWhileContainerdDoesNotAnswer() {
    String config = server.dataDir().resolve("agent").resolve("containerd").toString();
    ProcessHandle containerd =
        ProcessHandle.allProcesses()
            .filter(p -> p.info().command().map(c -> c.endsWith("/containerd")).orElse(false))
            .filter(p -> p.info().commandLine().map(c -> c.contains(config)).orElse(false))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no containerd of " + config));
    String condition =
        "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"
            + "|{.status.conditions[?(@.type==\"Ready\")].reason}"
            + "|{.status.conditions[?(@.type==\"Ready\")].message}";
    signal("STOP", containerd.pid());
    try {
      String notReady =
          await(
              "the node NotReady",
              Duration.ofSeconds(60),
              () -> kubectl.ok("get", "node", NODE, "-o", condition),
              s -> s.startsWith("False|"));
      assertThat(notReady).startsWith("False|KubeletNotReady|").contains("container runtime");
    } finally {
      signal("CONT", containerd.pid());
    }
    await(
        "the node Ready again",
        Duration.ofSeconds(60),
        () -> kubectl.ok("get", "node", NODE, "-o", condition),
        s -> s.startsWith("True|KubeletReady|"));
  }

  static void signal(String signal, long pid) {
    var result = server.node().exec("kill", "-" + signal, Long.toString(pid));
    assertThat(result.exitCode()).as(result.stderr()).isZero();
  }

  @Test
  void aStaticPodRunsFromItsManifestWithAMirrorPodInTheApi() throws IOException {
    Path manifests = server.dataDir().resolve("agent").resolve("pod-manifests");
    Files.createDirectories(manifests);
    Path manifest = manifests.resolve("static-web.yaml");
    String name = "static-web-" + NODE;
    String uidPath = "jsonpath={.metadata.uid}";
    Files.writeString(manifest, podYaml("static-web", "sleep 3600"));
    try {
      staticPodAssertions(name, uidPath);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\nserver log about static pods:\n"
              + server
                  .output()
                  .lines()
                  .filter(l -> l.contains("static") || l.contains("mirror"))
                  .collect(java.util.stream.Collectors.joining("\n")),
          e);
    } finally {
      Files.deleteIfExists(manifest);
    }
    // the manifest removed: the pod and its mirror go
    await(
        "the mirror pod deleted",
        Duration.ofSeconds(60),
        () -> kubectl.run("get", "pod", name, "--ignore-not-found", "-o", uidPath),
        r -> r.exitCode() == 0 && r.stdout().isEmpty());
  }

  private static void staticPodAssertions(String name, String uidPath) {
    JsonNode mirror =
        await(
                "a running mirror pod " + name,
                Duration.ofSeconds(90),
                () -> kubectl.run("get", "pod", name, "-o", "json"),
                r ->
                    r.exitCode() == 0
                        && Json.MAPPER
                            .readTree(r.stdout())
                            .path("status")
                            .path("phase")
                            .asString()
                            .equals("Running"))
            .stdout()
            .transform(Json.MAPPER::readTree);
    JsonNode annotations = mirror.path("metadata").path("annotations");
    assertThat(annotations.path("kubernetes.io/config.source").asString()).isEqualTo("file");
    assertThat(annotations.path("kubernetes.io/config.mirror").asString())
        .isEqualTo(annotations.path("kubernetes.io/config.hash").asString())
        .isNotEmpty();
    assertThat(mirror.path("metadata").path("ownerReferences").path(0).path("kind").asString())
        .isEqualTo("Node");
    assertThat(kubectl.ok("logs", name)).isEmpty();

    // deleted through the API, the mirror pod comes back; the static pod keeps running
    String uid = mirror.path("metadata").path("uid").asString();
    kubectl.ok("delete", "pod", name);
    await(
        "a new mirror pod",
        Duration.ofSeconds(60),
        () -> kubectl.run("get", "pod", name, "-o", uidPath),
        r -> r.exitCode() == 0 && !r.stdout().isEmpty() && !r.stdout().equals(uid));
    assertThat(container(pod(name), "main").path("restartCount").asInt()).isZero();
  }

  @Test
  void theNodeLeaseIsRenewed() {
    String jsonpath = "jsonpath={.spec.holderIdentity} {.spec.renewTime}";
    String first = kubectl.ok("get", "lease", NODE, "-n", "kube-node-lease", "-o", jsonpath);
    assertThat(first).startsWith(NODE + " ");
    Instant firstRenew = Instant.parse(first.split(" ")[1]);
    String later =
        await(
            "a lease renewal",
            Duration.ofSeconds(60),
            () -> kubectl.ok("get", "lease", NODE, "-n", "kube-node-lease", "-o", jsonpath),
            s -> !s.equals(first));
    assertThat(Instant.parse(later.split(" ")[1])).isAfter(firstRenew);
    assertThat(
            kubectl.ok(
                "get",
                "lease",
                NODE,
                "-n",
                "kube-node-lease",
                "-o",
                "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}"))
        .isEqualTo("Node/" + NODE);
  }
}
