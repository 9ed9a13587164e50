package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skiff.apiserver.AdminControlPlane;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ServiceResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changing a service's type with an update allocates and frees cluster IPs and node ports as
 * Kubernetes does (fabric8 merge patches, and the real kubectl's strategic merge patch).
 */
class ServiceTypeChangeApiTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  private static Service service(String name, String type, String clusterIp, Integer nodePort) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withType(type)
        .withClusterIP(clusterIp)
        .addNewPort()
        .withPort(80)
        .withNodePort(nodePort)
        .endPort()
        .endSpec()
        .build();
  }

  private static KubernetesClient client() {
    return cluster.admin();
  }

  private static Service create(Service service) {
    return client().services().resource(service).create();
  }

  private static ServiceResource<Service> named(String name) {
    return client().services().inNamespace("default").withName(name);
  }

  private static Service patch(String name, String mergePatch) {
    return named(name).patch(MERGE, mergePatch);
  }

  private static Integer nodePort(Service service) {
    return service.getSpec().getPorts().getFirst().getNodePort();
  }

  private static StatusCause refusedPatch(String name, String mergePatch) {
    KubernetesClientException e =
        catchThrowableOfType(KubernetesClientException.class, () -> patch(name, mergePatch));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
    assertThat(e.getStatus().getDetails().getCauses()).hasSize(1);
    return e.getStatus().getDetails().getCauses().getFirst();
  }

  @Test
  void clusterIpTurnedNodePortOrLoadBalancerGetsANodePortInRange() {
    Service plain = create(service("to-np", "ClusterIP", null, null));
    create(service("to-lb", "ClusterIP", null, null));
    create(service("to-lb-bare", "ClusterIP", null, null));

    Service nodePortService = patch("to-np", "{\"spec\":{\"type\":\"NodePort\"}}");
    Service loadBalancer = patch("to-lb", "{\"spec\":{\"type\":\"LoadBalancer\"}}");
    Service bare =
        patch(
            "to-lb-bare",
            "{\"spec\":{\"type\":\"LoadBalancer\",\"allocateLoadBalancerNodePorts\":false}}");

    assertThat(nodePort(nodePortService)).matches(NodePortAllocator::inRange);
    assertThat(nodePortService.getSpec().getClusterIP()).isEqualTo(plain.getSpec().getClusterIP());
    assertThat(nodePortService.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
    assertThat(named("to-np").get().getSpec().getPorts().getFirst().getNodePort())
        .isEqualTo(nodePort(nodePortService));
    assertThat(nodePort(loadBalancer))
        .matches(NodePortAllocator::inRange)
        .isNotEqualTo(nodePort(nodePortService));
    assertThat(loadBalancer.getSpec().getAllocateLoadBalancerNodePorts()).isTrue();
    assertThat(nodePort(bare)).isNull();
  }

  @Test
  void aRequestedNodePortInUseOrOutOfRangeIsInvalidAndTheHolderKeepsIt() {
    create(service("port-holder", "NodePort", null, 31234));
    create(service("port-wanter", "ClusterIP", null, null));

    StatusCause taken =
        refusedPatch(
            "port-wanter",
            "{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":31234}]}}");
    StatusCause outOfRange =
        refusedPatch(
            "port-wanter",
            "{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":40000}]}}");

    assertThat(taken.getField()).isEqualTo("spec.ports[0].nodePort");
    assertThat(taken.getMessage()).contains("provided port is already allocated");
    assertThat(outOfRange.getField()).isEqualTo("spec.ports[0].nodePort");
    assertThat(outOfRange.getMessage()).contains("provided port is not in the valid range");
    assertThat(nodePort(named("port-holder").get())).isEqualTo(31234);
    Service wanter = named("port-wanter").get();
    assertThat(wanter.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(nodePort(wanter)).isNull();
  }

  @Test
  void aFailedUpdateReleasesThePortsItClaimed() {
    create(service("claim-holder", "NodePort", null, 31240));
    create(service("claim-failer", "ClusterIP", null, null));

    StatusCause taken =
        refusedPatch(
            "claim-failer",
            "{\"spec\":{\"type\":\"NodePort\",\"ports\":["
                + "{\"name\":\"a\",\"port\":80,\"nodePort\":31241},"
                + "{\"name\":\"b\",\"port\":81,\"nodePort\":31240}]}}");

    assertThat(taken.getField()).isEqualTo("spec.ports[1].nodePort");
    Service other = create(service("claim-after", "NodePort", null, 31241));
    assertThat(nodePort(other)).isEqualTo(31241);
  }

  @Test
  void nodePortTurnedClusterIpReleasesItsPort() {
    create(service("np-back", "NodePort", null, 31300));

    Service turned = patch("np-back", "{\"spec\":{\"type\":\"ClusterIP\"}}");

    assertThat(nodePort(turned)).isNull();
    assertThat(turned.getSpec().getExternalTrafficPolicy()).isNull();
    Service reuser = create(service("np-reuser", "NodePort", null, 31300));
    assertThat(nodePort(reuser)).isEqualTo(31300);
  }

  @Test
  void clusterIpToExternalNameAndBackReleasesAndAllocatesTheAddress() {
    create(service("flip", "ClusterIP", "10.43.50.50", null));

    Service external =
        patch("flip", "{\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"db.example.com\"}}");

    assertThat(external.getSpec().getClusterIP()).isNull();
    assertThat(external.getSpec().getClusterIPs()).isEmpty();
    assertThat(external.getSpec().getIpFamilies()).isEmpty();
    assertThat(external.getSpec().getIpFamilyPolicy()).isNull();
    Service taker = create(service("flip-taker", "ClusterIP", "10.43.50.50", null));
    assertThat(taker.getSpec().getClusterIP()).isEqualTo("10.43.50.50");

    StatusCause clash =
        refusedPatch(
            "flip",
            "{\"spec\":{\"type\":\"ClusterIP\",\"externalName\":null,"
                + "\"clusterIP\":\"10.43.50.50\"}}");
    assertThat(clash.getField()).isEqualTo("spec.clusterIPs");
    assertThat(clash.getMessage()).contains("provided IP is already allocated");

    Service back = patch("flip", "{\"spec\":{\"type\":\"ClusterIP\",\"externalName\":null}}");

    assertThat(back.getSpec().getClusterIP()).startsWith("10.43.").isNotEqualTo("10.43.50.50");
    assertThat(back.getSpec().getClusterIPs()).containsExactly(back.getSpec().getClusterIP());
    assertThat(back.getSpec().getIpFamilies()).containsExactly("IPv4");
    assertThat(named("flip").get().getSpec().getClusterIP())
        .isEqualTo(back.getSpec().getClusterIP());
  }

  @Test
  void anExternalNameUpdateKeepingTheClusterIpOrWithoutANameIsInvalid() {
    create(service("ext-bad", "ClusterIP", null, null));

    StatusCause noName = refusedPatch("ext-bad", "{\"spec\":{\"type\":\"ExternalName\"}}");
    StatusCause keptIp =
        refusedPatch(
            "ext-bad",
            "{\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"a.example.com\","
                + "\"clusterIP\":\"10.43.60.60\",\"clusterIPs\":[\"10.43.60.60\"],"
                + "\"ipFamilies\":null,\"ipFamilyPolicy\":null}}");

    assertThat(noName.getField()).isEqualTo("spec.externalName");
    assertThat(keptIp.getField()).isEqualTo("spec.clusterIPs");
    assertThat(keptIp.getMessage()).contains("may not be set for ExternalName services");
  }

  @Test
  void aDryRunUpdateAllocatesNothing() {
    create(service("dry-up", "ClusterIP", null, null));

    Service dry =
        named("dry-up")
            .dryRun()
            .patch(
                MERGE,
                "{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":31400}]}}");
    Service dryAllocated =
        named("dry-up").dryRun().patch(MERGE, "{\"spec\":{\"type\":\"LoadBalancer\"}}");

    assertThat(nodePort(dry)).isEqualTo(31400);
    assertThat(nodePort(dryAllocated)).matches(NodePortAllocator::inRange);
    Service stored = named("dry-up").get();
    assertThat(stored.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(nodePort(stored)).isNull();
    assertThat(nodePort(create(service("dry-after", "NodePort", null, 31400)))).isEqualTo(31400);
    assertThat(nodePort(create(service("dry-after-2", "NodePort", null, nodePort(dryAllocated)))))
        .isEqualTo(nodePort(dryAllocated));
  }

  /** Runs the real kubectl with the admin kubeconfig; fails the test when it does not exit 0. */
  private static String kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", cluster.kubeconfig().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.trim();
  }

  @Test
  void kubectlPatchToNodePortAndBack() throws Exception {
    kubectl("create", "service", "clusterip", "kc-web", "--tcp=80:8080");

    kubectl("patch", "svc", "kc-web", "-p", "{\"spec\":{\"type\":\"NodePort\"}}");
    String port = kubectl("get", "svc", "kc-web", "-o", "jsonpath={.spec.ports[0].nodePort}");
    kubectl("patch", "svc", "kc-web", "-p", "{\"spec\":{\"type\":\"ClusterIP\"}}");
    String after = kubectl("get", "svc", "kc-web", "-o", "jsonpath={.spec.type}/{.spec.ports}");

    assertThat(Integer.parseInt(port)).matches(NodePortAllocator::inRange);
    assertThat(after).startsWith("ClusterIP/").doesNotContain("nodePort");
    assertThat(nodePort(create(service("kc-reuser", "NodePort", null, Integer.parseInt(port)))))
        .isEqualTo(Integer.parseInt(port));
  }

  @Test
  void concurrentTypeChangesAndCreatesNeverShareANodePort() throws Exception {
    List<Callable<Service>> writes = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = "conc-turn-" + i;
      create(service(name, "ClusterIP", null, null));
      writes.add(() -> patch(name, "{\"spec\":{\"type\":\"NodePort\"}}"));
      String fresh = "conc-new-" + i;
      writes.add(() -> create(service(fresh, "NodePort", null, null)));
    }
    List<Integer> ports = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(8)) {
      for (Future<Service> f : pool.invokeAll(writes)) {
        ports.add(nodePort(f.get()));
      }
    }

    assertThat(ports).hasSize(24).doesNotHaveDuplicates().allMatch(NodePortAllocator::inRange);
  }
}
