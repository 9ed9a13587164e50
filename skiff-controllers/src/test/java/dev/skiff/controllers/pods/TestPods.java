package dev.skiff.controllers.pods;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds pods for controller tests. */
public final class TestPods {
  private TestPods() {}

  public static Pod pod(String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withUid("uid-" + name)
        .withResourceVersion("1")
        .withLabels(labels)
        .withCreationTimestamp("2026-01-01T00:00:00Z")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build();
  }

  public static Pod owned(Pod pod, OwnerReference owner) {
    List<OwnerReference> refs = new ArrayList<>();
    refs.add(owner);
    pod.getMetadata().setOwnerReferences(refs);
    return pod;
  }

  public static Pod scheduled(Pod pod, String node) {
    pod.getSpec().setNodeName(node);
    return pod;
  }

  public static Pod running(Pod pod) {
    pod.getStatus().setPhase("Running");
    return pod;
  }

  public static Pod ready(Pod pod, Instant since) {
    running(pod);
    pod.getStatus()
        .setConditions(
            new ArrayList<>(
                List.of(
                    new PodConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .withLastTransitionTime(since.toString())
                        .build())));
    return pod;
  }

  public static Pod created(Pod pod, Instant at) {
    pod.getMetadata().setCreationTimestamp(at.toString());
    return pod;
  }

  public static Pod restarts(Pod pod, int count) {
    pod.getStatus()
        .setContainerStatuses(
            List.of(new ContainerStatusBuilder().withName("c").withRestartCount(count).build()));
    return pod;
  }

  public static Pod terminating(Pod pod) {
    pod.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
    return pod;
  }
}
