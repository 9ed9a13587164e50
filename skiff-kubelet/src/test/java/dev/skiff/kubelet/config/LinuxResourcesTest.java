package dev.skiff.kubelet.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.cri.v1.LinuxContainerResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LinuxResourcesTest {
  private static final long GI = 1L << 30;
  private static final long CAPACITY = 8 * GI;

  private static Container container(
      String name, Map<String, String> requests, Map<String, String> limits) {
    ContainerBuilder builder = new ContainerBuilder().withName(name).withImage("busybox");
    var resources = builder.withNewResources();
    requests.forEach((k, v) -> resources.addToRequests(k, new Quantity(v)));
    limits.forEach((k, v) -> resources.addToLimits(k, new Quantity(v)));
    return resources.endResources().build();
  }

  private static Pod pod(Container... containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withNamespace("ns")
        .withUid("1234-abcd")
        .endMetadata()
        .withNewSpec()
        .withContainers(containers)
        .endSpec()
        .build();
  }

  record Case(
      String name,
      Map<String, String> requests,
      Map<String, String> limits,
      String cgroupParent,
      long shares,
      long quota,
      long memory,
      long oomScoreAdj) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "guaranteed",
            Map.of(),
            Map.of("cpu", "500m", "memory", "256Mi"),
            "/kubepods/pod1234-abcd",
            512,
            50000,
            256L << 20,
            -997),
        new Case(
            "burstable with request and limit",
            Map.of("cpu", "250m", "memory", "1Gi"),
            Map.of("cpu", "2", "memory", "2Gi"),
            "/kubepods/burstable/pod1234-abcd",
            256,
            200000,
            2 * GI,
            875),
        new Case(
            "burstable with only a cpu request",
            Map.of("cpu", "100m"),
            Map.of(),
            "/kubepods/burstable/pod1234-abcd",
            102,
            0,
            0,
            999),
        new Case(
            "tiny cpu gets the minimum shares and quota",
            Map.of("cpu", "1m"),
            Map.of("cpu", "1m"),
            "/kubepods/burstable/pod1234-abcd",
            2,
            1000,
            0,
            999),
        new Case(
            "burstable asking for nearly all memory is kept at 3",
            Map.of("memory", "8Gi"),
            Map.of(),
            "/kubepods/burstable/pod1234-abcd",
            2,
            0,
            0,
            3),
        new Case(
            "best effort", Map.of(), Map.of(), "/kubepods/besteffort/pod1234-abcd", 2, 0, 0, 1000));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void cgroupValuesPerQos(Case c) {
    Container container = container("app", c.requests(), c.limits());
    Pod pod = pod(container);

    LinuxContainerResources resources = LinuxResources.forContainer(pod, container, CAPACITY);

    assertThat(LinuxResources.cgroupParent(pod, "/kubepods")).isEqualTo(c.cgroupParent());
    assertThat(resources.getCpuShares()).isEqualTo(c.shares());
    assertThat(resources.getCpuPeriod()).isEqualTo(100000);
    assertThat(resources.getCpuQuota()).isEqualTo(c.quota());
    assertThat(resources.getMemoryLimitInBytes()).isEqualTo(c.memory());
    assertThat(resources.getOomScoreAdj()).isEqualTo(c.oomScoreAdj());
  }

  @Test
  void sharesAreCappedAtTheKernelMaximum() {
    assertThat(LinuxResources.milliCpuToShares(1_000_000)).isEqualTo(262144);
  }

  @Test
  void sidecarScoreIsNoHigherThanTheSmallestRegularContainer() {
    Container app = container("app", Map.of("memory", "2Gi"), Map.of());
    Container sidecar =
        new ContainerBuilder(container("log", Map.of("memory", "100Mi"), Map.of()))
            .withRestartPolicy("Always")
            .build();
    Pod pod = new PodBuilder(pod(app)).editSpec().withInitContainers(sidecar).endSpec().build();

    assertThat(LinuxResources.forContainer(pod, sidecar, CAPACITY).getOomScoreAdj()).isEqualTo(750);
    assertThat(LinuxResources.forContainer(pod, app, CAPACITY).getOomScoreAdj()).isEqualTo(750);
  }

  @Test
  void nodeCriticalStaticPodsGetTheGuaranteedScore() {
    Container app = container("app", Map.of("memory", "1Gi"), Map.of());
    Pod pod =
        new PodBuilder(pod(app))
            .editMetadata()
            .addToAnnotations("kubernetes.io/config.source", "file")
            .endMetadata()
            .editSpec()
            .withPriorityClassName("system-node-critical")
            .endSpec()
            .build();

    assertThat(LinuxResources.forContainer(pod, app, CAPACITY).getOomScoreAdj()).isEqualTo(-997);
  }

  @Test
  void sandboxResourcesFollowKubernetesPodTotalsWithSidecars() {
    Container app =
        container(
            "app", Map.of("cpu", "200m", "memory", "100Mi"), Map.of("cpu", "1", "memory", "200Mi"));
    Container sidecar =
        new ContainerBuilder(
                container("proxy", Map.of("cpu", "100m"), Map.of("cpu", "500m", "memory", "50Mi")))
            .withRestartPolicy("Always")
            .build();
    Container migrate =
        container("migrate", Map.of("cpu", "2"), Map.of("cpu", "3", "memory", "1Gi"));
    Pod pod =
        new PodBuilder(pod(app)).editSpec().withInitContainers(sidecar, migrate).endSpec().build();

    assertThat(LinuxResources.podTotals(pod, false).get("cpu")).isEqualByComparingTo("2.1");
    assertThat(LinuxResources.podTotals(pod, true).get("cpu")).isEqualByComparingTo("3.5");
    LinuxContainerResources sandbox = LinuxResources.forSandbox(pod);
    assertThat(sandbox.getCpuShares()).isEqualTo(2150);
    assertThat(sandbox.getCpuQuota()).isEqualTo(350000);
    assertThat(sandbox.getMemoryLimitInBytes()).isEqualTo(GI + (50L << 20));
    assertThat(LinuxResources.forSandbox(pod(container("b", Map.of(), Map.of()))).getCpuShares())
        .isEqualTo(2);
  }
}
