package dev.skiff.scheduler.framework;

import static dev.skiff.scheduler.testing.Objects.container;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PodRequestsTest {
  record Case(
      String name,
      List<Container> containers,
      List<Container> initContainers,
      Map<String, Quantity> overhead,
      long milliCpu,
      long memory) {}

  static Container sidecar(String name, String cpu, String memory) {
    return new ContainerBuilder(container(name, cpu, memory)).withRestartPolicy("Always").build();
  }

  static final long MI = 1024L * 1024;

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "containers add up",
            List.of(container("a", "100m", "100Mi"), container("b", "200m", "50Mi")),
            List.of(),
            null,
            300,
            150 * MI),
        new Case(
            "a big init container dominates",
            List.of(container("a", "100m", "100Mi")),
            List.of(container("i", "1", "10Mi")),
            null,
            1000,
            100 * MI),
        new Case(
            "init containers take the max, not the sum",
            List.of(container("a", "100m", "100Mi")),
            List.of(container("i1", "500m", "1Gi"), container("i2", "700m", "10Mi")),
            null,
            700,
            1024 * MI),
        new Case(
            "sidecars add to containers",
            List.of(container("a", "100m", "100Mi")),
            List.of(sidecar("s", "200m", "20Mi")),
            null,
            300,
            120 * MI),
        new Case(
            "an init container after a sidecar runs beside it",
            List.of(container("a", "100m", "100Mi")),
            List.of(sidecar("s", "200m", "20Mi"), container("i", "1", "10Mi")),
            null,
            1200,
            120 * MI),
        new Case(
            "an init container before a sidecar runs alone",
            List.of(container("a", "100m", "100Mi")),
            List.of(container("i", "1", "10Mi"), sidecar("s", "200m", "20Mi")),
            null,
            1000,
            120 * MI),
        new Case(
            "overhead comes on top",
            List.of(container("a", "100m", "100Mi")),
            List.of(),
            Map.of("cpu", new Quantity("250m"), "memory", new Quantity("120Mi")),
            350,
            220 * MI));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void requests(Case c) {
    Pod p =
        pod("p", null, null)
            .editSpec()
            .withContainers(c.containers())
            .withInitContainers(c.initContainers())
            .withOverhead(c.overhead())
            .endSpec()
            .build();
    Resource r = PodRequests.of(p);
    assertThat(r.milliCpu).isEqualTo(c.milliCpu());
    assertThat(r.memory).isEqualTo(c.memory());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nonZeroCases")
  void nonZeroRequestsDefaultMissingCpuAndMemory(
      String name, Container c, long milliCpu, long memory) {
    Resource r =
        PodRequests.nonZero(pod("p", null, null).editSpec().withContainers(c).endSpec().build());
    assertThat(r.milliCpu).isEqualTo(milliCpu);
    assertThat(r.memory).isEqualTo(memory);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> nonZeroCases() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(
            "no requests", container("a", null, null), 100, 200 * MI),
        org.junit.jupiter.params.provider.Arguments.of(
            "cpu only", container("a", "1", null), 1000, 200 * MI),
        org.junit.jupiter.params.provider.Arguments.of(
            "explicit zero stays zero", container("a", "0", "0"), 0, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("extendedCases")
  void extendedResourcesAndRounding(String name, String resource, String quantity, long expected) {
    Container c =
        new ContainerBuilder()
            .withName("a")
            .withNewResources()
            .withRequests(Map.of(resource, new Quantity(quantity)))
            .endResources()
            .build();
    Resource r =
        PodRequests.of(pod("p", null, null).editSpec().withContainers(c).endSpec().build());
    assertThat(r.get(resource)).isEqualTo(expected);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> extendedCases() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("gpu", "nvidia.com/gpu", "2", 2),
        org.junit.jupiter.params.provider.Arguments.of(
            "fractional cpu rounds up to a milli", "cpu", "0.0001", 1),
        org.junit.jupiter.params.provider.Arguments.of(
            "ephemeral storage", "ephemeral-storage", "1Gi", 1024 * MI));
  }
}
