package dev.skiff.api.table;

import static dev.skiff.api.table.Fields.bool;
import static dev.skiff.api.table.Fields.has;
import static dev.skiff.api.table.Fields.list;
import static dev.skiff.api.table.Fields.lng;
import static dev.skiff.api.table.Fields.str;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The pod row kubectl shows: READY counts ready containers (and started restartable init
 * containers) out of all of them; STATUS is the most telling reason — an init container step
 * ("Init:0/1", "Init:CrashLoopBackOff"), a container waiting or terminated reason, the pod's own
 * reason, "Terminating" while a non-terminal pod is being deleted; RESTARTS adds "(5m ago)" after
 * the time of the latest restart.
 */
final class PodRow {
  private PodRow() {}

  static List<ColumnDefinition> columns() {
    return List.of(
        ObjectPrinter.name(),
        ObjectPrinter.column("Ready", "string", "Ready containers out of all containers."),
        ObjectPrinter.column("Status", "string", "A summary of the pod's state."),
        ObjectPrinter.column(
            "Restarts", "string", "Container restarts, and how long ago the latest was."),
        ObjectPrinter.age(),
        ObjectPrinter.wide("IP", "string", "The pod's first IP address."),
        ObjectPrinter.wide("Node", "string", "The node the pod is bound to."),
        ObjectPrinter.wide("Nominated Node", "string", "The node preemption nominated."),
        ObjectPrinter.wide("Readiness Gates", "string", "Readiness gates that are true."));
  }

  static List<Object> cells(JsonNode pod, Instant now) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    int totalContainers = list(spec, "containers").size();
    int readyContainers = 0;
    long restarts = 0;
    long restartableInitRestarts = 0;
    Instant lastRestart = null;
    Instant lastRestartableInitRestart = null;

    String phase = str(status, "phase");
    String reason = phase;
    if (!str(status, "reason").isEmpty()) {
      reason = str(status, "reason");
    }
    for (JsonNode condition : list(status, "conditions")) {
      if (str(condition, "type").equals("PodScheduled")
          && str(condition, "reason").equals("SchedulingGated")) {
        reason = "SchedulingGated";
      }
    }

    Map<String, Boolean> restartableInit = new HashMap<>();
    List<JsonNode> initSpecs = list(spec, "initContainers");
    for (JsonNode init : initSpecs) {
      boolean restartable = str(init, "restartPolicy").equals("Always");
      restartableInit.put(str(init, "name"), restartable);
      if (restartable) {
        totalContainers++;
      }
    }

    boolean initializing = false;
    List<JsonNode> initStatuses = list(status, "initContainerStatuses");
    for (int i = 0; i < initStatuses.size(); i++) {
      JsonNode container = initStatuses.get(i);
      restarts += lng(container, "restartCount");
      Instant finished = lastTerminationFinish(container);
      lastRestart = later(lastRestart, finished);
      boolean restartable = restartableInit.getOrDefault(str(container, "name"), false);
      if (restartable) {
        restartableInitRestarts += lng(container, "restartCount");
        lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
      }
      JsonNode state = container.path("state");
      if (has(state, "terminated") && lng(state, "terminated", "exitCode") == 0) {
        continue;
      }
      if (restartable && bool(container, "started")) {
        if (bool(container, "ready")) {
          readyContainers++;
        }
        continue;
      }
      if (has(state, "terminated")) {
        String terminatedReason = str(state, "terminated", "reason");
        if (terminatedReason.isEmpty()) {
          long signal = lng(state, "terminated", "signal");
          reason =
              signal != 0
                  ? "Init:Signal:" + signal
                  : "Init:ExitCode:" + lng(state, "terminated", "exitCode");
        } else {
          reason = "Init:" + terminatedReason;
        }
      } else if (has(state, "waiting")
          && !str(state, "waiting", "reason").isEmpty()
          && !str(state, "waiting", "reason").equals("PodInitializing")) {
        reason = "Init:" + str(state, "waiting", "reason");
      } else {
        reason = "Init:" + i + "/" + initSpecs.size();
      }
      initializing = true;
      break;
    }

    if (!initializing || conditionTrue(status, "Initialized")) {
      restarts = restartableInitRestarts;
      lastRestart = lastRestartableInitRestart;
      boolean hasRunning = false;
      List<JsonNode> statuses = list(status, "containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) {
        JsonNode container = statuses.get(i);
        restarts += lng(container, "restartCount");
        lastRestart = later(lastRestart, lastTerminationFinish(container));
        JsonNode state = container.path("state");
        if (has(state, "waiting") && !str(state, "waiting", "reason").isEmpty()) {
          reason = str(state, "waiting", "reason");
        } else if (has(state, "terminated") && !str(state, "terminated", "reason").isEmpty()) {
          reason = str(state, "terminated", "reason");
        } else if (has(state, "terminated")) {
          long signal = lng(state, "terminated", "signal");
          reason =
              signal != 0 ? "Signal:" + signal : "ExitCode:" + lng(state, "terminated", "exitCode");
        } else if (bool(container, "ready") && has(state, "running")) {
          hasRunning = true;
          readyContainers++;
        }
      }
      if (reason.equals("Completed") && hasRunning) {
        reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
      }
    }

    boolean deleting = has(pod, "metadata", "deletionTimestamp");
    if (deleting && str(status, "reason").equals("NodeLost")) {
      reason = "Unknown";
    } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
      reason = "Terminating";
    }

    String restartText = Long.toString(restarts);
    if (restarts != 0 && lastRestart != null) {
      restartText =
          restarts
              + " ("
              + HumanDuration.format(java.time.Duration.between(lastRestart, now))
              + " ago)";
    }

    List<Object> cells = new ArrayList<>();
    cells.add(ObjectPrinter.name(pod));
    cells.add(readyContainers + "/" + totalContainers);
    cells.add(reason);
    cells.add(restartText);
    cells.add(ObjectPrinter.age(pod, now));
    List<JsonNode> podIps = list(status, "podIPs");
    String podIp = podIps.isEmpty() ? "" : str(podIps.get(0), "ip");
    cells.add(Fields.orDefault(podIp, "<none>"));
    cells.add(Fields.orDefault(str(spec, "nodeName"), "<none>"));
    cells.add(Fields.orDefault(str(status, "nominatedNodeName"), "<none>"));
    cells.add(readinessGates(spec, status));
    return cells;
  }

  private static String readinessGates(JsonNode spec, JsonNode status) {
    List<JsonNode> gates = list(spec, "readinessGates");
    if (gates.isEmpty()) {
      return "<none>";
    }
    int trueConditions = 0;
    for (JsonNode gate : gates) {
      String type = str(gate, "conditionType");
      for (JsonNode condition : list(status, "conditions")) {
        if (str(condition, "type").equals(type)) {
          if (str(condition, "status").equals("True")) {
            trueConditions++;
          }
          break;
        }
      }
    }
    return trueConditions + "/" + gates.size();
  }

  private static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode condition : list(status, "conditions")) {
      if (str(condition, "type").equals(type)) {
        return str(condition, "status").equals("True");
      }
    }
    return false;
  }

  private static Instant lastTerminationFinish(JsonNode containerStatus) {
    if (!has(containerStatus, "lastState", "terminated")) {
      return null;
    }
    return HumanDuration.parse(str(containerStatus, "lastState", "terminated", "finishedAt"));
  }

  private static Instant later(Instant current, Instant candidate) {
    if (candidate == null) {
      return current;
    }
    return current == null || current.isBefore(candidate) ? candidate : current;
  }
}
