package dev.skiff.scheduler.plugins;

import dev.skiff.api.Json;
import dev.skiff.scheduler.framework.InvalidConfigException;
import dev.skiff.scheduler.framework.Plugin;
import dev.skiff.scheduler.framework.PluginFactory;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The in-tree plugins by name, with their args parsed and validated as KubeSchedulerConfiguration
 * (kubescheduler.config.k8s.io/v1) defines them.
 */
public final class PluginRegistry {
  private PluginRegistry() {}

  /** Every in-tree plugin's factory, by name. */
  public static Map<String, PluginFactory> inTree() {
    Map<String, PluginFactory> r = new LinkedHashMap<>();
    r.put(PrioritySort.NAME, (args, h) -> new PrioritySort());
    r.put(SchedulingGates.NAME, (args, h) -> new SchedulingGates());
    r.put(NodeUnschedulable.NAME, (args, h) -> new NodeUnschedulable());
    r.put(NodeName.NAME, (args, h) -> new NodeName());
    r.put(TaintToleration.NAME, (args, h) -> new TaintToleration());
    r.put(NodeAffinity.NAME, (args, h) -> nodeAffinity(args));
    r.put(NodePorts.NAME, (args, h) -> new NodePorts());
    r.put(NodeResourcesFit.NAME, (args, h) -> nodeResourcesFit(args));
    r.put(VolumeRestrictions.NAME, (args, h) -> new VolumeRestrictions(h));
    r.put(
        VolumeBinding.NAME,
        (args, h) ->
            new VolumeBinding(h, Duration.ofSeconds(longArg(args, "bindTimeoutSeconds", 600, 0))));
    r.put(
        PodTopologySpread.NAME,
        (args, h) -> {
          TopologySpreadArgs a = topologySpreadArgs(args);
          return new PodTopologySpread(h, a.constraints(), a.systemDefaulted());
        });
    r.put(
        InterPodAffinity.NAME,
        (args, h) ->
            new InterPodAffinity(
                h,
                (int) longArg(args, "hardPodAffinityWeight", 1, 0, 100),
                args != null && args.path("ignorePreferredTermsOfExistingPods").asBoolean(false)));
    r.put(
        DefaultPreemption.NAME,
        (args, h) ->
            new DefaultPreemption(
                h,
                (int) longArg(args, "minCandidateNodesPercentage", 10, 0, 100),
                (int) longArg(args, "minCandidateNodesAbsolute", 100, 0),
                RandomGenerator.getDefault()));
    r.put(NodeResourcesBalancedAllocation.NAME, (args, h) -> balancedAllocation(args));
    r.put(ImageLocality.NAME, (args, h) -> new ImageLocality(h));
    r.put(DefaultBinder.NAME, (args, h) -> new DefaultBinder(h));
    return r;
  }

  /** The class of every in-tree plugin, to know its extension points without building it. */
  public static Map<String, Class<? extends Plugin>> inTreeTypes() {
    Map<String, Class<? extends Plugin>> t = new LinkedHashMap<>();
    t.put(PrioritySort.NAME, PrioritySort.class);
    t.put(SchedulingGates.NAME, SchedulingGates.class);
    t.put(NodeUnschedulable.NAME, NodeUnschedulable.class);
    t.put(NodeName.NAME, NodeName.class);
    t.put(TaintToleration.NAME, TaintToleration.class);
    t.put(NodeAffinity.NAME, NodeAffinity.class);
    t.put(NodePorts.NAME, NodePorts.class);
    t.put(NodeResourcesFit.NAME, NodeResourcesFit.class);
    t.put(VolumeRestrictions.NAME, VolumeRestrictions.class);
    t.put(VolumeBinding.NAME, VolumeBinding.class);
    t.put(PodTopologySpread.NAME, PodTopologySpread.class);
    t.put(InterPodAffinity.NAME, InterPodAffinity.class);
    t.put(DefaultPreemption.NAME, DefaultPreemption.class);
    t.put(NodeResourcesBalancedAllocation.NAME, NodeResourcesBalancedAllocation.class);
    t.put(ImageLocality.NAME, ImageLocality.class);
    t.put(DefaultBinder.NAME, DefaultBinder.class);
    return t;
  }

  /** Parses the args of {@code plugin} without building it; throws on invalid args. */
  public static void validateArgs(String plugin, JsonNode args) {
    switch (plugin) {
      case NodeResourcesFit.NAME -> nodeResourcesFit(args);
      case NodeResourcesBalancedAllocation.NAME -> balancedAllocation(args);
      case NodeAffinity.NAME -> nodeAffinity(args);
      case PodTopologySpread.NAME -> topologySpreadArgs(args);
      case InterPodAffinity.NAME -> longArg(args, "hardPodAffinityWeight", 1, 0, 100);
      case DefaultPreemption.NAME -> {
        longArg(args, "minCandidateNodesPercentage", 10, 0, 100);
        longArg(args, "minCandidateNodesAbsolute", 100, 0);
      }
      case VolumeBinding.NAME -> longArg(args, "bindTimeoutSeconds", 600, 0);
      default -> {}
    }
  }

  private static long longArg(JsonNode args, String field, long defaultValue, long min) {
    return longArg(args, field, defaultValue, min, Long.MAX_VALUE);
  }

  private static long longArg(JsonNode args, String field, long defaultValue, long min, long max) {
    if (args == null || args.path(field).isMissingNode() || args.path(field).isNull()) {
      return defaultValue;
    }
    JsonNode v = args.path(field);
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw new InvalidConfigException(
          field,
          "Invalid value: "
              + v
              + ": must be an integer"
              + (max == Long.MAX_VALUE ? " >= " + min : " in [" + min + ", " + max + "]"));
    }
    return v.asLong();
  }

  private static Plugin nodeAffinity(JsonNode args) {
    if (args == null || args.path("addedAffinity").isMissingNode()) {
      return new NodeAffinity(null);
    }
    try {
      return new NodeAffinity(
          Json.MAPPER.treeToValue(
              args.path("addedAffinity"), io.fabric8.kubernetes.api.model.NodeAffinity.class));
    } catch (JacksonException e) {
      throw new InvalidConfigException("addedAffinity", "Invalid value: " + e.getOriginalMessage());
    }
  }

  private static Map<String, Long> resourceWeights(JsonNode resources, String field) {
    Map<String, Long> weights = new LinkedHashMap<>();
    for (int i = 0; i < resources.size(); i++) {
      JsonNode r = resources.get(i);
      String name = r.path("name").asString("");
      if (name.isEmpty()) {
        throw new InvalidConfigException(field + "[" + i + "].name", "Required value");
      }
      long weight = r.path("weight").isMissingNode() ? 1 : r.path("weight").asLong();
      if (weight < 1 || weight > 100) {
        throw new InvalidConfigException(
            field + "[" + i + "].weight",
            "Invalid value: "
                + r.path("weight")
                + ": resource weight of "
                + name
                + " should be in the range [1, 100]");
      }
      weights.put(name, weight);
    }
    return weights;
  }

  private static NodeResourcesFit nodeResourcesFit(JsonNode args) {
    if (args == null) {
      return NodeResourcesFit.defaults();
    }
    Set<String> ignored = strings(args.path("ignoredResources"));
    Set<String> ignoredGroups = strings(args.path("ignoredResourceGroups"));
    JsonNode strategy = args.path("scoringStrategy");
    NodeResourcesFit.StrategyType type = NodeResourcesFit.StrategyType.LeastAllocated;
    if (!strategy.path("type").isMissingNode()) {
      String t = strategy.path("type").asString("");
      try {
        type = NodeResourcesFit.StrategyType.valueOf(t);
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(
            "scoringStrategy.type",
            "Unsupported value: \""
                + t
                + "\": supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\"");
      }
    }
    Map<String, Long> weights =
        strategy.path("resources").isArray()
            ? resourceWeights(strategy.path("resources"), "scoringStrategy.resources")
            : NodeResourcesFit.orderedWeights("cpu", 1L, "memory", 1L);
    List<NodeResourcesFit.ShapePoint> shape = new ArrayList<>();
    if (type == NodeResourcesFit.StrategyType.RequestedToCapacityRatio) {
      JsonNode points = strategy.path("requestedToCapacityRatio").path("shape");
      String field = "scoringStrategy.requestedToCapacityRatio.shape";
      if (!points.isArray() || points.isEmpty()) {
        throw new InvalidConfigException(
            field, "Required value: at least one point must be specified");
      }
      long previous = -1;
      for (int i = 0; i < points.size(); i++) {
        long u = points.get(i).path("utilization").asLong(-1);
        long s = points.get(i).path("score").asLong(-1);
        if (u < 0 || u > 100 || u <= previous) {
          throw new InvalidConfigException(
              field + "[" + i + "].utilization",
              "Invalid value: "
                  + u
                  + ": utilization values must be sorted and in the range [0, 100]");
        }
        if (s < 0 || s > 10) {
          throw new InvalidConfigException(
              field + "[" + i + "].score",
              "Invalid value: " + s + ": score must be in the range [0, 10]");
        }
        previous = u;
        shape.add(new NodeResourcesFit.ShapePoint(u, s));
      }
    }
    return new NodeResourcesFit(ignored, ignoredGroups, type, weights, shape);
  }

  private static NodeResourcesBalancedAllocation balancedAllocation(JsonNode args) {
    if (args == null || !args.path("resources").isArray()) {
      return NodeResourcesBalancedAllocation.defaults();
    }
    return new NodeResourcesBalancedAllocation(
        new ArrayList<>(resourceWeights(args.path("resources"), "resources").keySet()));
  }

  private record TopologySpreadArgs(
      List<TopologySpreadConstraint> constraints, boolean systemDefaulted) {}

  private static TopologySpreadArgs topologySpreadArgs(JsonNode args) {
    String defaulting = args == null ? "System" : args.path("defaultingType").asString("System");
    JsonNode constraints = args == null ? null : args.path("defaultConstraints");
    boolean hasConstraints = constraints != null && constraints.isArray() && !constraints.isEmpty();
    if (!defaulting.equals("System") && !defaulting.equals("List")) {
      throw new InvalidConfigException(
          "defaultingType",
          "Unsupported value: \"" + defaulting + "\": supported values: \"System\", \"List\"");
    }
    if (defaulting.equals("System")) {
      if (hasConstraints) {
        throw new InvalidConfigException(
            "defaultConstraints",
            "Invalid value: when .defaultingType is \"System\", defaultConstraints must be empty");
      }
      return new TopologySpreadArgs(PodTopologySpread.SYSTEM_DEFAULT_CONSTRAINTS, true);
    }
    List<TopologySpreadConstraint> list = new ArrayList<>();
    if (hasConstraints) {
      for (int i = 0; i < constraints.size(); i++) {
        JsonNode c = constraints.get(i);
        String field = "defaultConstraints[" + i + "]";
        if (c.path("labelSelector").isObject()) {
          throw new InvalidConfigException(
              field + ".labelSelector",
              "Forbidden: constraint must not define a selector, as they deduced for each pod");
        }
        if (c.path("maxSkew").asInt(0) <= 0) {
          throw new InvalidConfigException(
              field + ".maxSkew",
              "Invalid value: " + c.path("maxSkew") + ": must be greater than zero");
        }
        if (c.path("topologyKey").asString("").isEmpty()) {
          throw new InvalidConfigException(
              field + ".topologyKey", "Required value: can not be empty");
        }
        String when = c.path("whenUnsatisfiable").asString("");
        if (!when.equals("DoNotSchedule") && !when.equals("ScheduleAnyway")) {
          throw new InvalidConfigException(
              field + ".whenUnsatisfiable",
              "Unsupported value: \""
                  + when
                  + "\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"");
        }
        list.add(Json.MAPPER.treeToValue(c, TopologySpreadConstraint.class));
      }
    }
    return new TopologySpreadArgs(list, false);
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new HashSet<>();
    if (array != null && array.isArray()) {
      for (JsonNode n : array) {
        out.add(n.asString());
      }
    }
    return out;
  }
}
