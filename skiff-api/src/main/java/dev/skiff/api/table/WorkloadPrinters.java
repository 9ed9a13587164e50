package dev.skiff.api.table;

import static dev.skiff.api.table.Fields.has;
import static dev.skiff.api.table.Fields.list;
import static dev.skiff.api.table.Fields.lng;
import static dev.skiff.api.table.Fields.map;
import static dev.skiff.api.table.Fields.str;
import static dev.skiff.api.table.ObjectPrinter.age;
import static dev.skiff.api.table.ObjectPrinter.column;
import static dev.skiff.api.table.ObjectPrinter.name;
import static dev.skiff.api.table.ObjectPrinter.wide;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Printers of apps/v1 and batch/v1 workloads, keyed "group/plural". */
final class WorkloadPrinters {
  static final ColumnDefinition CONTAINERS =
      wide("Containers", "string", "Container names of the pod template.");
  static final ColumnDefinition IMAGES =
      wide("Images", "string", "Container images of the pod template.");
  static final ColumnDefinition SELECTOR =
      wide("Selector", "string", "The label selector of the pods.");

  private WorkloadPrinters() {}

  static void register(Map<String, TablePrinter> printers, InstantSource clock) {
    printers.put(
        "apps/deployments",
        new ObjectPrinter(
            List.of(
                name(),
                column("Ready", "string", "Ready pods out of desired pods."),
                column("Up-to-date", "string", "Pods with the current template."),
                column("Available", "string", "Pods available to users."),
                age(),
                CONTAINERS,
                IMAGES,
                SELECTOR),
            clock,
            (d, now) -> {
              String[] containers = templateContainers(d);
              return List.of(
                  name(d),
                  lng(d, "status", "readyReplicas") + "/" + lng(d, 1, "spec", "replicas"),
                  lng(d, "status", "updatedReplicas"),
                  lng(d, "status", "availableReplicas"),
                  age(d, now),
                  containers[0],
                  containers[1],
                  Formats.selector(d.path("spec").path("selector")));
            }));
    printers.put(
        "apps/replicasets",
        new ObjectPrinter(
            List.of(
                name(),
                column("Desired", "integer", "Replicas asked for."),
                column("Current", "integer", "Replicas that exist."),
                column("Ready", "integer", "Replicas that are ready."),
                age(),
                CONTAINERS,
                IMAGES,
                SELECTOR),
            clock,
            (rs, now) -> {
              String[] containers = templateContainers(rs);
              return List.of(
                  name(rs),
                  lng(rs, 1, "spec", "replicas"),
                  lng(rs, "status", "replicas"),
                  lng(rs, "status", "readyReplicas"),
                  age(rs, now),
                  containers[0],
                  containers[1],
                  Formats.selectorOrNone(rs.path("spec").path("selector")));
            }));
    printers.put(
        "apps/statefulsets",
        new ObjectPrinter(
            List.of(
                name(),
                column("Ready", "string", "Ready pods out of desired pods."),
                age(),
                CONTAINERS,
                IMAGES),
            clock,
            (sts, now) -> {
              String[] containers = templateContainers(sts);
              return List.of(
                  name(sts),
                  lng(sts, "status", "readyReplicas") + "/" + lng(sts, 1, "spec", "replicas"),
                  age(sts, now),
                  containers[0],
                  containers[1]);
            }));
    printers.put(
        "apps/daemonsets",
        new ObjectPrinter(
            List.of(
                name(),
                column("Desired", "integer", "Nodes that should run the pod."),
                column("Current", "integer", "Nodes that run the pod."),
                column("Ready", "integer", "Nodes whose pod is ready."),
                column("Up-to-date", "integer", "Nodes running the current template."),
                column("Available", "integer", "Nodes whose pod is available."),
                column("Node Selector", "string", "The template's node selector."),
                age(),
                CONTAINERS,
                IMAGES,
                SELECTOR),
            clock,
            (ds, now) -> {
              String[] containers = templateContainers(ds);
              JsonNode status = ds.path("status");
              return List.of(
                  name(ds),
                  lng(status, "desiredNumberScheduled"),
                  lng(status, "currentNumberScheduled"),
                  lng(status, "numberReady"),
                  lng(status, "updatedNumberScheduled"),
                  lng(status, "numberAvailable"),
                  Formats.labels(map(ds, "spec", "template", "spec", "nodeSelector")),
                  age(ds, now),
                  containers[0],
                  containers[1],
                  Formats.selectorOrNone(ds.path("spec").path("selector")));
            }));
    printers.put(
        "apps/controllerrevisions",
        new ObjectPrinter(
            List.of(
                name(),
                column("Controller", "string", "The object that owns the revision."),
                column("Revision", "string", "The revision number."),
                age()),
            clock,
            (cr, now) -> List.of(name(cr), controllerOf(cr), lng(cr, "revision"), age(cr, now))));
    printers.put(
        "batch/jobs",
        new ObjectPrinter(
            List.of(
                name(),
                column("Status", "string", "Running, Complete, Failed, Suspended, ..."),
                column("Completions", "string", "Succeeded pods out of completions."),
                column("Duration", "string", "How long the job ran or has been running."),
                age(),
                CONTAINERS,
                IMAGES,
                SELECTOR),
            clock,
            WorkloadPrinters::job));
    printers.put(
        "batch/cronjobs",
        new ObjectPrinter(
            List.of(
                name(),
                column("Schedule", "string", "The cron schedule."),
                column("Timezone", "string", "The schedule's time zone."),
                column("Suspend", "boolean", "Whether new runs are suspended."),
                column("Active", "integer", "Jobs running now."),
                column("Last Schedule", "string", "Time since a job was last scheduled."),
                age(),
                CONTAINERS,
                IMAGES,
                SELECTOR),
            clock,
            (cj, now) -> {
              JsonNode jobSpec = cj.path("spec").path("jobTemplate").path("spec");
              String[] containers = Formats.containers(jobSpec.path("template").path("spec"));
              return List.of(
                  name(cj),
                  str(cj, "spec", "schedule"),
                  has(cj, "spec", "timeZone") ? str(cj, "spec", "timeZone") : "<none>",
                  has(cj, "spec", "suspend")
                      ? Formats.bool(Fields.bool(cj, "spec", "suspend"))
                      : "<unset>",
                  (long) list(cj, "status", "active").size(),
                  has(cj, "status", "lastScheduleTime")
                      ? HumanDuration.since(str(cj, "status", "lastScheduleTime"), now)
                      : "<none>",
                  age(cj, now),
                  containers[0],
                  containers[1],
                  Formats.selectorOrNone(jobSpec.path("selector")));
            }));
  }

  private static String[] templateContainers(JsonNode workload) {
    return Formats.containers(workload.path("spec").path("template").path("spec"));
  }

  private static List<Object> job(JsonNode job, Instant now) {
    JsonNode spec = job.path("spec");
    JsonNode status = job.path("status");
    long succeeded = lng(status, "succeeded");
    String completions;
    if (has(spec, "completions")) {
      completions = succeeded + "/" + lng(spec, "completions");
    } else {
      long parallelism = lng(spec, "parallelism");
      completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }
    String duration = "";
    Instant start = HumanDuration.parse(str(status, "startTime"));
    if (start != null) {
      Instant completion = HumanDuration.parse(str(status, "completionTime"));
      duration =
          HumanDuration.format(Duration.between(start, completion == null ? now : completion));
    }
    String state;
    if (jobCondition(status, "Complete")) {
      state = "Complete";
    } else if (jobCondition(status, "Failed")) {
      state = "Failed";
    } else if (has(job, "metadata", "deletionTimestamp")) {
      state = "Terminating";
    } else if (jobCondition(status, "Suspended")) {
      state = "Suspended";
    } else if (jobCondition(status, "FailureTarget")) {
      state = "FailureTarget";
    } else {
      state = "Running";
    }
    String[] containers = Formats.containers(spec.path("template").path("spec"));
    return List.of(
        name(job),
        state,
        completions,
        duration,
        age(job, now),
        containers[0],
        containers[1],
        Formats.selectorOrNone(spec.path("selector")));
  }

  private static boolean jobCondition(JsonNode status, String type) {
    for (JsonNode condition : list(status, "conditions")) {
      if (str(condition, "type").equals(type)) {
        return str(condition, "status").equals("True");
      }
    }
    return false;
  }

  /** "kind.group/name" of the controlling owner, lower-case kind and group; "&lt;none&gt;". */
  static String controllerOf(JsonNode object) {
    for (JsonNode owner : list(object, "metadata", "ownerReferences")) {
      if (Fields.bool(owner, "controller")) {
        String apiVersion = str(owner, "apiVersion");
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String kind = str(owner, "kind");
        String groupKind = group.isEmpty() ? kind : kind + "." + group;
        return groupKind.toLowerCase(Locale.ROOT) + "/" + str(owner, "name");
      }
    }
    return "<none>";
  }
}
