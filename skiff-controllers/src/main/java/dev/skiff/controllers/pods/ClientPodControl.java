package dev.skiff.controllers.pods;

import dev.skiff.api.Json;
import dev.skiff.client.events.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link PodControl} through the API, emitting the events Kubernetes' pod control emits. */
public final class ClientPodControl implements PodControl {
  private final KubernetesClient client;
  private final EventRecorder recorder;

  public ClientPodControl(KubernetesClient client, EventRecorder recorder) {
    this.client = client;
    this.recorder = recorder;
  }

  @Override
  public Pod createPod(
      String namespace, PodTemplateSpec template, HasMetadata controller, OwnerReference ref) {
    Pod pod = podFromTemplate(template, controller, ref);
    try {
      Pod created = client.pods().inNamespace(namespace).resource(pod).create();
      recorder.event(
          controller,
          EventRecorder.NORMAL,
          "SuccessfulCreate",
          "Created pod: " + created.getMetadata().getName());
      return created;
    } catch (KubernetesClientException e) {
      recorder.event(
          controller, EventRecorder.WARNING, "FailedCreate", "Error creating: " + message(e));
      throw e;
    }
  }

  /** The pod a controller creates from its template: labels, annotations, spec and owner. */
  public static Pod podFromTemplate(
      PodTemplateSpec template, HasMetadata controller, OwnerReference ref) {
    ObjectMeta templateMeta =
        template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setGenerateName(controller.getMetadata().getName() + "-");
    meta.setLabels(
        templateMeta.getLabels() == null ? null : new HashMap<>(templateMeta.getLabels()));
    meta.setAnnotations(
        templateMeta.getAnnotations() == null
            ? null
            : new HashMap<>(templateMeta.getAnnotations()));
    meta.setFinalizers(
        templateMeta.getFinalizers() == null
            ? null
            : new ArrayList<>(templateMeta.getFinalizers()));
    meta.setNamespace(controller.getMetadata().getNamespace());
    if (ref != null) {
      meta.setOwnerReferences(new ArrayList<>(List.of(ref)));
    }
    Pod pod = new Pod();
    pod.setMetadata(meta);
    pod.setSpec(Json.MAPPER.convertValue(template.getSpec(), PodSpec.class));
    return pod;
  }

  @Override
  public void deletePod(String namespace, String name, HasMetadata controller) {
    try {
      List<?> deleted = client.pods().inNamespace(namespace).withName(name).delete();
      if (deleted.isEmpty()) {
        throw new KubernetesClientException("pods \"" + name + "\" not found", 404, null);
      }
      recorder.event(controller, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + name);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        recorder.event(
            controller, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + message(e));
      }
      throw e;
    }
  }

  @Override
  public void patchOwnerReferences(Pod pod, List<OwnerReference> ownerReferences) {
    ObjectNode patch = Json.object();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("uid", pod.getMetadata().getUid());
    ArrayNode refs = metadata.putArray("ownerReferences");
    for (OwnerReference ref : ownerReferences) {
      refs.add(Json.MAPPER.<ObjectNode>valueToTree(ref));
    }
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), Json.MAPPER.writeValueAsString(patch));
  }

  static String message(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }
}
