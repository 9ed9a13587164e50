package dev.skiff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.testing.Kubectl;
import dev.skiff.testing.SkiffServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against `skiff server` started from the fat jar, as a user runs it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlIT {
  @TempDir static Path temp;
  static SkiffServerProcess server;
  static Kubectl kubectl;

  @BeforeAll
  static void startServer() {
    server = SkiffServerProcess.start(temp.resolve("data"));
    kubectl = new Kubectl(server.kubeconfig());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  static String resource(String name) throws IOException {
    try (InputStream in = KubectlIT.class.getResourceAsStream("/e2e/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  @Order(1)
  void defaultNamespacesExist() {
    String out = kubectl.ok("get", "namespaces", "-o", "name");
    assertThat(out.lines())
        .contains(
            "namespace/default",
            "namespace/kube-system",
            "namespace/kube-public",
            "namespace/kube-node-lease");
  }

  @Test
  @Order(2)
  void applyMultiDocumentYamlThenApplyAnEdit() throws IOException {
    String app = resource("app.yaml");
    String first = kubectl.run(app, Map.of(), "apply", "-f", "-").ok();
    assertThat(first)
        .contains(
            "namespace/shop created",
            "deployment.apps/web created",
            "service/web created",
            "configmap/web-config created",
            "secret/web-secret created");

    String lastApplied =
        kubectl.ok(
            "get",
            "deployment",
            "web",
            "-n",
            "shop",
            "-o",
            "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}");
    assertThat(lastApplied).contains("\"replicas\":2").contains("\"value\":\"blue\"");

    String edited =
        app.replace("replicas: 2", "replicas: 3")
            .replace("value: blue", "value: green")
            .replace("greeting: hello", "greeting: bonjour");
    String second = kubectl.run(edited, Map.of(), "apply", "-f", "-").ok();
    assertThat(second)
        .contains(
            "namespace/shop unchanged",
            "deployment.apps/web configured",
            "service/web unchanged",
            "configmap/web-config configured",
            // stringData never reads back (the server folds it into data), so kubectl's three-way
            // patch re-sends it and reports the Secret as configured, as it does on Kubernetes
            "secret/web-secret configured");
    assertThat(
            kubectl.ok(
                "get",
                "deployment",
                "web",
                "-n",
                "shop",
                "-o",
                "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[0].value}"))
        .isEqualTo("3 green");
    assertThat(kubectl.ok("get", "configmap", "web-config", "-n", "shop", "-o", "yaml"))
        .contains("greeting: bonjour");
  }

  @Test
  @Order(3)
  void getInEveryOutputFormat() {
    // a pod needs its namespace's default ServiceAccount, which the serviceaccount controller
    // makes a moment after the namespace (Kubernetes' own e2e framework waits for it the same way)
    kubectl.ok("wait", "--for=create", "serviceaccount/default", "-n", "shop", "--timeout=60s");
    kubectl.ok("run", "solo", "--image=registry.local/busybox:1.36", "-n", "shop");
    String wide = kubectl.ok("get", "pods", "solo", "-n", "shop", "-o", "wide");
    assertThat(wide.lines().findFirst().orElseThrow())
        .containsSubsequence(
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES");
    assertThat(wide).contains("solo").contains("Pending");

    String yaml = kubectl.ok("get", "pod", "solo", "-n", "shop", "-o", "yaml");
    assertThat(yaml)
        .contains("kind: Pod")
        .contains("restartPolicy: Always")
        .contains("dnsPolicy: ClusterFirst")
        .contains("schedulerName: default-scheduler")
        .contains("terminationGracePeriodSeconds: 30")
        .contains("imagePullPolicy: IfNotPresent")
        .contains("terminationMessagePath: /dev/termination-log");

    assertThat(kubectl.ok("get", "svc", "web", "-n", "shop", "-o", "jsonpath={.spec.type}"))
        .isEqualTo("ClusterIP");
    String services = kubectl.ok("get", "services", "-n", "shop");
    assertThat(services.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE");
    assertThat(services).contains("80/TCP");
  }

  @Test
  @Order(4)
  void describeShowsTheDeployment() {
    String out = kubectl.ok("describe", "deployment", "web", "-n", "shop");
    assertThat(out)
        .contains("Name:")
        .contains("web")
        .contains("Namespace:")
        .contains("shop")
        .contains("StrategyType:")
        .contains("RollingUpdate")
        .contains("registry.local/busybox:1.36");
  }

  @Test
  @Order(5)
  void labelAnnotateAndPatchInAllThreeWays() {
    kubectl.ok("label", "configmap", "web-config", "-n", "shop", "tier=front");
    kubectl.ok("annotate", "configmap", "web-config", "-n", "shop", "owner=ops");
    kubectl.ok(
        "patch",
        "configmap",
        "web-config",
        "-n",
        "shop",
        "--type=merge",
        "-p",
        "{\"data\":{\"merged\":\"yes\"}}");
    kubectl.ok(
        "patch",
        "configmap",
        "web-config",
        "-n",
        "shop",
        "--type=json",
        "-p",
        "[{\"op\":\"add\",\"path\":\"/data/json\",\"value\":\"yes\"}]");
    kubectl.ok(
        "patch",
        "deployment",
        "web",
        "-n",
        "shop",
        "-p",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"httpd\","
            + "\"image\":\"registry.local/busybox:1.37\"}]}}}}");
    assertThat(
            kubectl.ok(
                "get",
                "configmap",
                "web-config",
                "-n",
                "shop",
                "-o",
                "jsonpath={.metadata.labels.tier} {.metadata.annotations.owner} {.data.merged}"
                    + " {.data.json}"))
        .isEqualTo("front ops yes yes");
    // the strategic merge kept the container's other fields (merged by name, not replaced)
    assertThat(
            kubectl.ok(
                "get",
                "deployment",
                "web",
                "-n",
                "shop",
                "-o",
                "jsonpath={.spec.template.spec.containers[0].image}"
                    + " {.spec.template.spec.containers[0].ports[0].containerPort}"))
        .isEqualTo("registry.local/busybox:1.37 8080");
    assertThat(kubectl.ok("get", "configmaps", "-n", "shop", "-l", "tier=front", "-o", "name"))
        .isEqualTo("configmap/web-config\n");
  }

  @Test
  @Order(6)
  void scaleAndEdit() throws IOException {
    kubectl.ok("scale", "deployment", "web", "-n", "shop", "--replicas=5");
    assertThat(
            kubectl.ok("get", "deployment", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}"))
        .isEqualTo("5");

    Path editor = temp.resolve("editor.sh");
    Files.writeString(editor, "#!/bin/sh\nsed -i 's/greeting: bonjour/greeting: hallo/' \"$1\"\n");
    Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));
    kubectl
        .run(
            null,
            Map.of("EDITOR", editor.toString()),
            "edit",
            "configmap",
            "web-config",
            "-n",
            "shop")
        .ok();
    assertThat(
            kubectl.ok(
                "get", "configmap", "web-config", "-n", "shop", "-o", "jsonpath={.data.greeting}"))
        .isEqualTo("hallo");
  }

  @Test
  @Order(7)
  void discoveryExplainAndComponentStatuses() {
    String resources = kubectl.ok("api-resources");
    assertThat(resources)
        .contains("pods")
        .contains("deployments")
        .contains("horizontalpodautoscalers")
        .contains("customresourcedefinitions");
    assertThat(resources.lines().filter(l -> l.startsWith("pods ")).findFirst().orElseThrow())
        .contains("po")
        .contains("v1")
        .contains("true")
        .contains("Pod");
    assertThat(kubectl.ok("api-versions").lines())
        .contains("v1", "apps/v1", "batch/v1", "autoscaling/v2", "rbac.authorization.k8s.io/v1");
    String explain = kubectl.ok("explain", "pod.spec.containers");
    assertThat(explain).contains("KIND:").contains("Pod").contains("image").contains("FIELDS:");
    String components = kubectl.ok("get", "componentstatuses");
    assertThat(components.lines().findFirst().orElseThrow()).contains("NAME").contains("STATUS");
  }

  @Test
  @Order(8)
  void kubeconfigCommands() {
    assertThat(kubectl.ok("config", "current-context").strip()).isEqualTo("skiff");
    assertThat(kubectl.ok("config", "get-contexts", "-o", "name").strip()).isEqualTo("skiff");
    assertThat(kubectl.ok("config", "view")).contains("name: skiff").contains("DATA+OMITTED");
    kubectl.ok(
        "config", "set-context", "other", "--cluster=skiff", "--user=admin", "--namespace=shop");
    kubectl.ok("config", "use-context", "other");
    assertThat(kubectl.ok("get", "configmaps", "-o", "name")).contains("configmap/web-config");
    kubectl.ok("config", "use-context", "skiff");
  }

  @Test
  @Order(9)
  void deleteWithCascadeVariants() {
    kubectl.ok("create", "configmap", "gone", "-n", "shop", "--from-literal=a=b");
    assertThat(kubectl.ok("delete", "configmap", "gone", "-n", "shop", "--wait=true"))
        .contains("configmap \"gone\" deleted");
    assertThat(kubectl.run("get", "configmap", "gone", "-n", "shop").stderr()).contains("NotFound");

    kubectl.ok("delete", "deployment", "web", "-n", "shop", "--cascade=orphan");
    kubectl.ok("delete", "pod", "solo", "-n", "shop", "--cascade=foreground", "--wait=true");
    assertThat(kubectl.run("get", "deployment", "web", "-n", "shop").exitCode()).isNotZero();
  }

  @Test
  @Order(10)
  void badInputGetsAStatusNotACrash() {
    Kubectl.Result invalid =
        kubectl.run(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n",
            Map.of(),
            "create",
            "-f",
            "-");
    assertThat(invalid.exitCode()).isNotZero();
    assertThat(invalid.stderr()).contains("is invalid").contains("metadata.name");

    Kubectl.Result unknownField =
        kubectl.run(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\nbogus: 1\n",
            Map.of(),
            "create",
            "-f",
            "-");
    assertThat(unknownField.exitCode()).isNotZero();
    assertThat(unknownField.stderr()).contains("unknown field \"bogus\"");
  }
}
