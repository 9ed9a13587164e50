package dev.skiff.apiserver.registry.batch;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import dev.skiff.apiserver.registry.core.PodTemplates;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** CronJobs: concurrencyPolicy Allow, not suspended, keep 3 successful and 1 failed job. */
public final class CronJobStrategy implements ResourceStrategy {
  private static final Traits TRAITS = Traits.DEFAULT.withGeneration();
  private static final List<String> POLICIES = List.of("Allow", "Forbid", "Replace");

  @Override
  public void applyDefaults(ObjectNode cronJob) {
    ObjectNode spec = Meta.child(cronJob, "spec");
    Meta.defaultText(spec, "concurrencyPolicy", "Allow");
    Meta.defaultBool(spec, "suspend", false);
    Meta.defaultInt(spec, "successfulJobsHistoryLimit", 3);
    Meta.defaultInt(spec, "failedJobsHistoryLimit", 1);
    ObjectNode jobSpec = Meta.child(Meta.child(spec, "jobTemplate"), "spec");
    Meta.defaultInt(jobSpec, "backoffLimit", 6);
    PodTemplates.defaultTemplate(Meta.child(jobSpec, "template"));
  }

  @Override
  public void prepareForCreate(ObjectNode cronJob) {
    cronJob.putObject("status");
  }

  @Override
  public List<FieldError> validate(ObjectNode cronJob) {
    List<FieldError> errors = new ArrayList<>();
    String schedule = Meta.textAt(cronJob, "spec.schedule");
    if (schedule.isBlank()) {
      errors.add(FieldError.required("spec.schedule", ""));
    }
    String policy = Meta.textAt(cronJob, "spec.concurrencyPolicy");
    if (!POLICIES.contains(policy)) {
      errors.add(FieldError.notSupported("spec.concurrencyPolicy", policy, POLICIES));
    }
    errors.addAll(
        PodTemplates.validateSpec(
            cronJob.path("spec").path("jobTemplate").path("spec").path("template").path("spec"),
            "spec.jobTemplate.spec.template.spec"));
    return errors;
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }
}
