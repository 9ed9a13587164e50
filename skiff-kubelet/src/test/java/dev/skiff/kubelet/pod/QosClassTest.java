package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class QosClassTest {

  record Case(String name, List<Container> init, List<Container> containers, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("no resources", List.of(), List.of(c("a", "", "")), "BestEffort"),
        new Case(
            "zero requests count as none", List.of(), List.of(c("a", "cpu=0", "")), "BestEffort"),
        new Case(
            "limits equal requests for cpu and memory",
            List.of(),
            List.of(c("a", "cpu=1,memory=1Gi", "cpu=1,memory=1Gi")),
            "Guaranteed"),
        new Case(
            "limits only: requests default to limits",
            List.of(),
            List.of(c("a", "", "cpu=500m,memory=128Mi")),
            "Guaranteed"),
        new Case(
            "same amount written differently",
            List.of(),
            List.of(c("a", "cpu=0.5,memory=1024Mi", "cpu=500m,memory=1Gi")),
            "Guaranteed"),
        new Case(
            "request below limit",
            List.of(),
            List.of(c("a", "cpu=1", "cpu=2,memory=1Gi")),
            "Burstable"),
        new Case("memory limit missing", List.of(), List.of(c("a", "", "cpu=1")), "Burstable"),
        new Case(
            "one container without resources",
            List.of(),
            List.of(c("a", "", "cpu=1,memory=1Gi"), c("b", "", "")),
            "Burstable"),
        new Case(
            "init container counted",
            List.of(c("init", "cpu=100m", "")),
            List.of(c("a", "", "cpu=1,memory=1Gi")),
            "Burstable"),
        new Case(
            "requests only", List.of(), List.of(c("a", "cpu=100m,memory=64Mi", "")), "Burstable"),
        new Case(
            "extended resources ignored",
            List.of(),
            List.of(c("a", "example.com/gpu=1", "example.com/gpu=1")),
            "BestEffort"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void computesQosClassAsKubernetes(Case c) {
    PodSpec spec =
        new PodSpecBuilder().withInitContainers(c.init()).withContainers(c.containers()).build();
    assertThat(QosClass.of(spec)).isEqualTo(c.expected());
  }

  private static Container c(String name, String requests, String limits) {
    return new ContainerBuilder()
        .withName(name)
        .withImage("busybox")
        .withNewResources()
        .withRequests(parse(requests))
        .withLimits(parse(limits))
        .endResources()
        .build();
  }

  private static Map<String, Quantity> parse(String spec) {
    Map<String, Quantity> map = new HashMap<>();
    if (!spec.isEmpty()) {
      for (String pair : spec.split(",")) {
        String[] kv = pair.split("=");
        map.put(kv[0], new Quantity(kv[1]));
      }
    }
    return map;
  }
}
