package dev.skiff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.testing.Kubectl;
import dev.skiff.testing.node.NetnsCluster;
import dev.skiff.testing.node.NodeServer;
import dev.skiff.testing.node.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default local-path storage on a real node: `skiff server` with its local agent (real
 * containerd) in a network namespace, driven by the real kubectl. A pod writes into a claim of the
 * default class; the data lands in the claim's directory under {@code <data-dir>/storage} on the
 * node; deleting the claim deletes its volume and the kubelet removes the directory.
 */
class LocalPathIT {
  static final String NODE = "node-lp";
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

  @Test
  void podWritesIntoALocalPathClaimOnItsNodeAndTheDirectoryGoesWithTheClaim() throws IOException {
    assertThat(kubectl.ok("get", "storageclass"))
        .contains("local-path (default)")
        .contains("rancher.io/local-path")
        .contains("WaitForFirstConsumer");
    kubectl
        .run(
            """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: data
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests:
                  storage: 128Mi
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: writer
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: %s
                imagePullPolicy: Never
                command: ["sh", "-c", "echo kept > /data/file && sleep 3600"]
                volumeMounts:
                - name: data
                  mountPath: /data
              volumes:
              - name: data
                persistentVolumeClaim:
                  claimName: data
            """
                .formatted(TestImages.BUSYBOX),
            Map.of(),
            "apply",
            "-f",
            "-")
        .ok();

    await(
        "pod writer Running",
        () ->
            kubectl
                .run("get", "pod", "writer", "-o", "jsonpath={.status.phase}")
                .stdout()
                .equals("Running"));
    var claim = Json.MAPPER.readTree(kubectl.ok("get", "pvc", "data", "-o", "json"));
    assertThat(claim.path("status").path("phase").asString()).isEqualTo("Bound");
    assertThat(claim.path("spec").path("storageClassName").asString()).isEqualTo("local-path");
    assertThat(
            claim
                .path("metadata")
                .path("annotations")
                .path("volume.kubernetes.io/selected-node")
                .asString())
        .isEqualTo(NODE);
    String volume = claim.path("spec").path("volumeName").asString();
    String uid = claim.path("metadata").path("uid").asString();
    assertThat(volume).isEqualTo("pvc-" + uid);
    Path dir = server.dataDir().resolve("storage").resolve(volume + "_default_data");
    await("the pod's file on the node", () -> Files.exists(dir.resolve("file")));
    assertThat(Files.readString(dir.resolve("file"))).isEqualTo("kept\n");
    assertThat(kubectl.ok("exec", "writer", "--", "cat", "/data/file")).isEqualTo("kept\n");
    assertThat(kubectl.ok("get", "pv", volume, "-o", "jsonpath={.spec.hostPath.path}"))
        .isEqualTo(dir.toString());

    // the running pod holds its claim (pvc-protection): it stays Terminating, its volume Bound
    kubectl.ok("delete", "pvc", "data", "--wait=false");
    var terminating = Json.MAPPER.readTree(kubectl.ok("get", "pvc", "data", "-o", "json"));
    assertThat(terminating.path("metadata").path("deletionTimestamp").isMissingNode()).isFalse();
    assertThat(terminating.path("metadata").path("finalizers").toString())
        .contains("kubernetes.io/pvc-protection");
    assertThat(kubectl.ok("get", "pv", volume, "-o", "jsonpath={.status.phase}"))
        .isEqualTo("Bound");
    assertThat(dir).exists();
    // once the pod is gone the claim goes, its volume with it (reclaim Delete)
    kubectl.ok("delete", "pod", "writer");
    await("claim data deleted", () -> kubectl.run("get", "pvc", "data").exitCode() != 0);
    await("volume " + volume + " deleted", () -> kubectl.run("get", "pv", volume).exitCode() != 0);
    // the kubelet removes the directory at its next pod removal after the volume went
    kubectl.ok(
        "run",
        "sweeper",
        "--image=" + TestImages.BUSYBOX,
        "--image-pull-policy=Never",
        "--restart=Never",
        "--",
        "true");
    await(
        "pod sweeper Succeeded",
        () ->
            kubectl
                .run("get", "pod", "sweeper", "-o", "jsonpath={.status.phase}")
                .stdout()
                .equals("Succeeded"));
    kubectl.ok("delete", "pod", "sweeper");
    await("directory " + dir + " removed", () -> !Files.exists(dir));
  }

  private static void await(String what, BooleanSupplier done) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("no " + what + " within 60 s");
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
