package dev.skiff.controllers.history;

import dev.skiff.api.Json;
import dev.skiff.controllers.deployment.TemplateHash;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ControllerRevisions (apps/v1) for StatefulSets and DaemonSets: a revision stores the pod template
 * as the patch {@code {"spec":{"template":{..., "$patch":"replace"}}}}, is named {@code
 * <owner>-<hash>} and carries the hash in the {@code controller.kubernetes.io/hash} label.
 */
public final class Revisions {
  public static final String HASH_LABEL = "controller.kubernetes.io/hash";
  public static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";

  private Revisions() {}

  /** The hash of a template and collision count (the same FNV-based hash Deployments use). */
  public static String hash(PodTemplateSpec template, Integer collisionCount) {
    return TemplateHash.compute(template, collisionCount);
  }

  /** A new revision of owner holding template, not yet created. */
  public static ControllerRevision newRevision(
      HasMetadata owner,
      String apiVersion,
      String kind,
      PodTemplateSpec template,
      long revision,
      Integer collisionCount) {
    String hash = hash(template, collisionCount);
    ObjectMeta meta = new ObjectMeta();
    meta.setName(owner.getMetadata().getName() + "-" + hash);
    meta.setNamespace(owner.getMetadata().getNamespace());
    Map<String, String> labels = new HashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put(HASH_LABEL, hash);
    meta.setLabels(labels);
    meta.setOwnerReferences(new ArrayList<>(List.of(controllerRef(owner, apiVersion, kind))));
    ControllerRevision cr = new ControllerRevision();
    cr.setApiVersion("apps/v1");
    cr.setKind("ControllerRevision");
    cr.setMetadata(meta);
    cr.setRevision(revision);
    cr.setData(Json.MAPPER.convertValue(patch(template), Map.class));
    return cr;
  }

  public static OwnerReference controllerRef(HasMetadata owner, String apiVersion, String kind) {
    return new OwnerReferenceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static ObjectNode patch(PodTemplateSpec template) {
    ObjectNode data = Json.object();
    ObjectNode tree = Json.MAPPER.valueToTree(template);
    tree.put("$patch", "replace");
    data.putObject("spec").set("template", tree);
    return data;
  }

  /** The pod template a revision holds. */
  public static PodTemplateSpec template(ControllerRevision revision) {
    JsonNode data = Json.MAPPER.valueToTree(revision.getData());
    JsonNode template = data.path("spec").path("template");
    if (!(template instanceof ObjectNode object)) {
      return new PodTemplateSpec();
    }
    ObjectNode copy = object.deepCopy();
    copy.remove("$patch");
    return Json.MAPPER.treeToValue(copy, PodTemplateSpec.class);
  }

  /**
   * Whether two revisions hold the same template, compared as decoded templates so that a round
   * trip through the API server (which may drop empty fields) does not make them differ.
   */
  public static boolean equalData(ControllerRevision a, ControllerRevision b) {
    return Objects.equals(
        Json.MAPPER.valueToTree(template(a)), Json.MAPPER.valueToTree(template(b)));
  }

  public static long revisionOf(ControllerRevision revision) {
    return revision.getRevision() == null ? 0 : revision.getRevision();
  }

  public static List<ControllerRevision> sorted(List<ControllerRevision> revisions) {
    return revisions.stream()
        .sorted(
            Comparator.comparingLong(Revisions::revisionOf)
                .thenComparing(r -> r.getMetadata().getName()))
        .toList();
  }

  public static long nextRevision(List<ControllerRevision> revisions) {
    return revisions.stream().mapToLong(Revisions::revisionOf).max().orElse(0) + 1;
  }
}
