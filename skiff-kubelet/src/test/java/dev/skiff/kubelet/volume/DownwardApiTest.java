package dev.skiff.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.ResourceFieldSelectorBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DownwardApiTest {
  private static final Pod POD =
      new PodBuilder()
          .withNewMetadata()
          .withName("web")
          .withNamespace("shop")
          .withUid("u-1")
          .withLabels(new LinkedHashMap<>(Map.of("tier", "front", "app", "web")))
          .withAnnotations(Map.of("note", "say \"hi\"\n\tbye", "build", "ü7"))
          .endMetadata()
          .withNewSpec()
          .endSpec()
          .build();

  record FieldCase(String name, String fieldPath, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<FieldCase> fields() {
    return Stream.of(
        new FieldCase("name", "metadata.name", "web"),
        new FieldCase("namespace", "metadata.namespace", "shop"),
        new FieldCase("uid", "metadata.uid", "u-1"),
        new FieldCase("labels sorted and quoted", "metadata.labels", "app=\"web\"\ntier=\"front\""),
        new FieldCase(
            "annotations with Go escapes",
            "metadata.annotations",
            "build=\"ü7\"\nnote=\"say \\\"hi\\\"\\n\\tbye\""),
        new FieldCase("one label", "metadata.labels['tier']", "front"),
        new FieldCase("one annotation", "metadata.annotations['build']", "ü7"),
        new FieldCase("missing label is empty", "metadata.labels['nope']", ""));
  }

  @ParameterizedTest
  @MethodSource("fields")
  void metadataFields(FieldCase c) {
    assertThat(DownwardApi.metadataField(POD, c.fieldPath())).isEqualTo(c.expected());
  }

  @Test
  void otherFieldPathsAreUnsupported() {
    assertThatThrownBy(() -> DownwardApi.metadataField(POD, "spec.restartPolicy"))
        .hasMessage("unsupported fieldPath: spec.restartPolicy");
  }

  record ResourceCase(String name, String resource, String divisor, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<ResourceCase> resources() {
    return Stream.of(
        new ResourceCase("cpu limit rounds up to cores", "limits.cpu", null, "1"),
        new ResourceCase("cpu limit in millicores", "limits.cpu", "1m", "250"),
        new ResourceCase("cpu request in millicores", "requests.cpu", "1m", "100"),
        new ResourceCase("memory limit in bytes", "limits.memory", null, "67108864"),
        new ResourceCase("memory limit in Mi", "limits.memory", "1Mi", "64"),
        new ResourceCase("memory request rounds up", "requests.memory", "1Mi", "33"),
        new ResourceCase("missing request is zero", "requests.ephemeral-storage", null, "0"),
        new ResourceCase(
            "missing limit defaults to allocatable", "limits.ephemeral-storage", "1Gi", "20"));
  }

  @ParameterizedTest
  @MethodSource("resources")
  void resourceFields(ResourceCase c) {
    Container container =
        new ContainerBuilder()
            .withName("app")
            .withNewResources()
            .addToLimits("cpu", new Quantity("250m"))
            .addToLimits("memory", new Quantity("64Mi"))
            .addToRequests("cpu", new Quantity("100m"))
            .addToRequests("memory", new Quantity("32.5Mi"))
            .endResources()
            .build();
    ResourceFieldSelector selector =
        new ResourceFieldSelectorBuilder()
            .withResource(c.resource())
            .withDivisor(c.divisor() == null ? null : new Quantity(c.divisor()))
            .build();
    Map<String, Quantity> allocatable =
        Map.of("ephemeral-storage", new Quantity("20Gi"), "cpu", new Quantity("4"));

    assertThat(DownwardApi.resourceField(selector, container, allocatable)).isEqualTo(c.expected());
  }

  @Test
  void cpuLimitWithoutLimitIsNodeAllocatable() {
    Container container = new ContainerBuilder().withName("app").build();
    ResourceFieldSelector selector =
        new ResourceFieldSelectorBuilder()
            .withResource("limits.cpu")
            .withDivisor(new Quantity("1m"))
            .build();

    assertThat(DownwardApi.resourceField(selector, container, Map.of("cpu", new Quantity("3500m"))))
        .isEqualTo("3500");
  }

  @Test
  void unknownResourceIsUnsupported() {
    assertThatThrownBy(
            () ->
                DownwardApi.resourceField(
                    new ResourceFieldSelectorBuilder().withResource("limits.gpu").build(),
                    new ContainerBuilder().withName("a").build(),
                    Map.of()))
        .hasMessage("unsupported container resource : limits.gpu");
  }
}
