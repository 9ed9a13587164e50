package dev.skiff.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.Kubectl;
import dev.skiff.testing.SkiffServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl driving workloads on `skiff server` (scheduler and controller manager inside)
 * with three nodes from `skiff sim-nodes`, both started from the fat jar as a user would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkloadsIT {
  @TempDir static Path temp;
  static SkiffServerProcess server;
  static Process simNodes;
  static Kubectl kubectl;

  @BeforeAll
  static void startCluster() throws IOException {
    server = SkiffServerProcess.start(temp.resolve("data"));
    kubectl = new Kubectl(server.kubeconfig());
    List<String> command = new ArrayList<>(SkiffServerProcess.javaCommand());
    command.addAll(
        List.of(
            "sim-nodes",
            "--kubeconfig",
            server.kubeconfig().toString(),
            "--count",
            "3",
            "--zones",
            "z1,z2,z3"));
    simNodes =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("sim-nodes.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                assertThat(kubectl.ok("get", "nodes", "-o", "name").lines())
                    .containsExactlyInAnyOrder("node/sim-0", "node/sim-1", "node/sim-2"));
  }

  @AfterAll
  static void stopCluster() {
    if (simNodes != null) {
      simNodes.destroy();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void nodesAreReadyWithZones() {
    String nodes = kubectl.ok("get", "nodes", "-L", "topology.kubernetes.io/zone");
    assertThat(nodes.lines().skip(1)).allSatisfy(line -> assertThat(line).contains("Ready"));
    assertThat(nodes).contains("z1").contains("z2").contains("z3");
  }

  @Test
  @Order(2)
  void deploymentRollsOutAndIsScheduledOnTheNodes() {
    kubectl.ok("create", "deployment", "web", "--image=registry.local/web:1", "--replicas=3");
    assertThat(kubectl.ok("rollout", "status", "deployment/web", "--timeout=180s"))
        .contains("successfully rolled out");
    String pods = kubectl.ok("get", "pods", "-l", "app=web", "-o", "wide");
    assertThat(pods.lines().skip(1)).hasSize(3).allSatisfy(l -> assertThat(l).contains("Running"));
    assertThat(pods).contains("sim-");
    assertThat(kubectl.ok("get", "events", "--field-selector", "reason=Scheduled"))
        .contains("Successfully assigned default/web-");
  }

  @Test
  @Order(3)
  void scaleUpdateHistoryAndUndo() {
    kubectl.ok("scale", "deployment/web", "--replicas=4");
    assertThat(kubectl.ok("rollout", "status", "deployment/web", "--timeout=180s"))
        .contains("successfully rolled out");
    kubectl.ok("set", "image", "deployment/web", "web=registry.local/web:2");
    assertThat(kubectl.ok("rollout", "status", "deployment/web", "--timeout=180s"))
        .contains("successfully rolled out");
    String history = kubectl.ok("rollout", "history", "deployment/web");
    assertThat(history).contains("REVISION").contains("1").contains("2");
    kubectl.ok("rollout", "undo", "deployment/web");
    assertThat(kubectl.ok("rollout", "status", "deployment/web", "--timeout=180s"))
        .contains("successfully rolled out");
    assertThat(
            kubectl.ok(
                "get",
                "deployment",
                "web",
                "-o",
                "jsonpath={.spec.template.spec.containers[0].image}"))
        .isEqualTo("registry.local/web:1");
  }

  @Test
  @Order(4)
  void jobFromCronJobCompletes() {
    kubectl.ok(
        "create", "cronjob", "nightly", "--image=registry.local/tool:1", "--schedule=0 3 * * *");
    kubectl.ok("create", "job", "manual", "--from=cronjob/nightly");
    assertThat(
            kubectl.ok(
                "get", "job", "manual", "-o", "jsonpath={.metadata.ownerReferences[0].name}"))
        .isEqualTo("nightly");
    // simulated pods of restartPolicy OnFailure/Never run --pod-run-seconds; the job's pod is
    // created by the job controller and bound by the scheduler
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () ->
                assertThat(kubectl.ok("get", "pods", "-l", "job-name=manual", "-o", "wide"))
                    .contains("sim-"));
  }

  @Test
  @Order(5)
  void deleteWithOrphanKeepsTheReplicaSets() {
    kubectl.ok("delete", "deployment", "web", "--cascade=orphan");
    assertThat(kubectl.run("get", "deployment", "web").exitCode()).isNotZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(kubectl.ok("get", "replicasets", "-l", "app=web", "-o", "name"))
                    .contains("replicaset.apps/web-"));
    // the orphaned pods stay too (pods of the rollout that are still terminating may linger)
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                assertThat(kubectl.ok("get", "pods", "-l", "app=web", "-o", "name").lines())
                    .hasSize(4));
  }

  @Test
  @Order(6)
  void watchShowsChangesAsTheyHappen() throws Exception {
    Process watch =
        new ProcessBuilder(
                "kubectl",
                "--kubeconfig=" + server.kubeconfig(),
                "get",
                "configmaps",
                "--watch",
                "--output-watch-events")
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("watch.log").toFile())
            .start();
    try {
      Thread.sleep(2000);
      kubectl.run(null, Map.of(), "create", "configmap", "watched", "--from-literal=a=b").ok();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(java.nio.file.Files.readString(temp.resolve("watch.log")))
                      .contains("ADDED")
                      .contains("watched"));
    } finally {
      watch.destroy();
    }
  }
}
