package dev.skiff.apiserver.registry.batch;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import dev.skiff.apiserver.registry.core.PodTemplates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Jobs: one completion and one pod by default, backoffLimit 6, a generated selector on the job's
 * uid, restartPolicy OnFailure or Never, immutable selector and template.
 */
public final class JobStrategy implements ResourceStrategy {
  static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
  static final String JOB_NAME = "batch.kubernetes.io/job-name";
  private static final List<String> RESTART_POLICIES = List.of("OnFailure", "Never");
  private static final Traits TRAITS = Traits.DEFAULT.withGeneration();

  @Override
  public void applyDefaults(ObjectNode job) {
    ObjectNode spec = Meta.child(job, "spec");
    defaultJobSpec(spec);
  }

  static void defaultJobSpec(ObjectNode spec) {
    if (!spec.hasNonNull("completions") && !spec.hasNonNull("parallelism")) {
      spec.put("completions", 1);
    }
    Meta.defaultInt(spec, "parallelism", 1);
    Meta.defaultInt(spec, "backoffLimit", 6);
    Meta.defaultText(spec, "completionMode", "NonIndexed");
    Meta.defaultBool(spec, "suspend", false);
    Meta.defaultText(spec, "podReplacementPolicy", "TerminatingOrFailed");
    PodTemplates.defaultTemplate(Meta.child(spec, "template"));
  }

  @Override
  public void prepareForCreate(ObjectNode job) {
    job.putObject("status");
    ObjectNode spec = Meta.child(job, "spec");
    if (spec.path("manualSelector").asBoolean(false)) {
      return;
    }
    String uid = Meta.uid(job);
    String name = Meta.name(job);
    ObjectNode labels = Meta.child(Meta.child(Meta.child(spec, "template"), "metadata"), "labels");
    labels.put(CONTROLLER_UID, uid);
    labels.put(JOB_NAME, name);
    labels.put("controller-uid", uid);
    labels.put("job-name", name);
    if (!spec.has("selector")) {
      spec.putObject("selector").putObject("matchLabels").put(CONTROLLER_UID, uid);
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode job) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = job.path("spec");
    JsonNode podSpec = spec.path("template").path("spec");
    errors.addAll(PodTemplates.validateSpec(podSpec, "spec.template.spec"));
    String restart = Meta.text(podSpec, "restartPolicy");
    if (!RESTART_POLICIES.contains(restart)) {
      errors.removeIf(e -> e.field().equals("spec.template.spec.restartPolicy"));
      errors.add(
          FieldError.notSupported("spec.template.spec.restartPolicy", restart, RESTART_POLICIES));
    }
    for (String field : List.of("parallelism", "completions", "backoffLimit")) {
      if (spec.has(field) && spec.path(field).asLong(0) < 0) {
        errors.add(
            FieldError.invalid(
                "spec." + field, spec.path(field).asLong(), "must be greater than or equal to 0"));
      }
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode job, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(job));
    for (String field : List.of("selector", "completionMode")) {
      JsonNode now = job.path("spec").path(field);
      if (!now.equals(old.path("spec").path(field))) {
        errors.add(FieldError.invalid("spec." + field, now.toString(), "field is immutable"));
      }
    }
    boolean suspended = old.path("spec").path("suspend").asBoolean(false);
    JsonNode template = job.path("spec").path("template");
    if (!suspended && !template.equals(old.path("spec").path("template"))) {
      errors.add(FieldError.invalid("spec.template", "", "field is immutable"));
    }
    return errors;
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode job) {
    return Map.of(
        "status.successful", Long.toString(job.path("status").path("successful").asLong(0)));
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }
}
