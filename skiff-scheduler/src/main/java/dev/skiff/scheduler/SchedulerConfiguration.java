package dev.skiff.scheduler;

import dev.skiff.api.Json;
import dev.skiff.scheduler.framework.ExtensionPoint;
import dev.skiff.scheduler.framework.InvalidConfigException;
import dev.skiff.scheduler.framework.Plugin;
import dev.skiff.scheduler.framework.PluginRef;
import dev.skiff.scheduler.framework.ProfileConfig;
import dev.skiff.scheduler.plugins.PluginRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The scheduler's configuration: a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) with
 * its defaults applied, profiles resolved to the plugins of every extension point.
 */
public record SchedulerConfiguration(
    List<ProfileConfig> profiles,
    int percentageOfNodesToScore,
    Duration podInitialBackoff,
    Duration podMaxBackoff,
    int parallelism,
    LeaderElection leaderElection) {

  public static final String DEFAULT_SCHEDULER_NAME = "default-scheduler";
  public static final String API_VERSION = "kubescheduler.config.k8s.io/v1";

  /** Leader election through a coordination.k8s.io/v1 Lease. */
  public record LeaderElection(
      boolean leaderElect,
      String resourceNamespace,
      String resourceName,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {
    public static LeaderElection defaults() {
      return new LeaderElection(
          true,
          "kube-system",
          "kube-scheduler",
          Duration.ofSeconds(15),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2));
    }
  }

  public SchedulerConfiguration {
    profiles = List.copyOf(profiles);
  }

  /** The default plugins of every profile, as MultiPoint entries (name, weight). */
  static final List<PluginRef> DEFAULT_MULTI_POINT =
      List.of(
          PluginRef.of("SchedulingGates"),
          PluginRef.of("PrioritySort"),
          PluginRef.of("NodeUnschedulable"),
          PluginRef.of("NodeName"),
          new PluginRef("TaintToleration", 3),
          new PluginRef("NodeAffinity", 2),
          PluginRef.of("NodePorts"),
          new PluginRef("NodeResourcesFit", 1),
          PluginRef.of("VolumeRestrictions"),
          PluginRef.of("VolumeBinding"),
          new PluginRef("PodTopologySpread", 2),
          new PluginRef("InterPodAffinity", 2),
          PluginRef.of("DefaultPreemption"),
          new PluginRef("NodeResourcesBalancedAllocation", 1),
          new PluginRef("ImageLocality", 1),
          PluginRef.of("DefaultBinder"));

  /** One profile, default-scheduler, with the default plugins; leader election on. */
  public static SchedulerConfiguration defaults() {
    return parse(Json.MAPPER.createObjectNode());
  }

  /** Reads a KubeSchedulerConfiguration file (YAML or JSON). */
  public static SchedulerConfiguration load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read scheduler config " + file + ": " + e.getMessage(), e);
    }
    return parse(text);
  }

  /** Parses a KubeSchedulerConfiguration document; throws {@link InvalidConfigException}. */
  public static SchedulerConfiguration parse(String yaml) {
    JsonNode root;
    try {
      root = Json.YAML.readTree(yaml);
    } catch (JacksonException e) {
      throw new InvalidConfigException("", "not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidConfigException("", "expected a KubeSchedulerConfiguration object");
    }
    String apiVersion = root.path("apiVersion").asString("");
    if (!API_VERSION.equals(apiVersion)) {
      throw new InvalidConfigException(
          "apiVersion",
          "Unsupported value: \"" + apiVersion + "\": supported values: \"" + API_VERSION + "\"");
    }
    String kind = root.path("kind").asString("");
    if (!"KubeSchedulerConfiguration".equals(kind)) {
      throw new InvalidConfigException(
          "kind",
          "Unsupported value: \"" + kind + "\": supported values: \"KubeSchedulerConfiguration\"");
    }
    return parse(root);
  }

  private static final Set<String> TOP_LEVEL_FIELDS =
      Set.of(
          "apiVersion",
          "kind",
          "parallelism",
          "leaderElection",
          "clientConnection",
          "healthzBindAddress",
          "metricsBindAddress",
          "enableProfiling",
          "enableContentionProfiling",
          "percentageOfNodesToScore",
          "podInitialBackoffSeconds",
          "podMaxBackoffSeconds",
          "profiles",
          "extenders",
          "delayCacheUntilActive");

  private static SchedulerConfiguration parse(JsonNode root) {
    unknownFields(root, TOP_LEVEL_FIELDS, "");
    int percentage = intField(root, "percentageOfNodesToScore", 0, "");
    if (percentage < 0 || percentage > 100) {
      throw new InvalidConfigException(
          "percentageOfNodesToScore",
          "Invalid value: " + percentage + ": not in valid range [0-100]");
    }
    int parallelism = intField(root, "parallelism", 16, "");
    if (parallelism <= 0) {
      throw new InvalidConfigException(
          "parallelism",
          "Invalid value: " + parallelism + ": should be an integer value greater than zero");
    }
    int initial = intField(root, "podInitialBackoffSeconds", 1, "");
    if (initial <= 0) {
      throw new InvalidConfigException(
          "podInitialBackoffSeconds", "Invalid value: " + initial + ": must be greater than 0");
    }
    int max = intField(root, "podMaxBackoffSeconds", 10, "");
    if (max < initial) {
      throw new InvalidConfigException(
          "podMaxBackoffSeconds",
          "Invalid value: " + max + ": must be greater than or equal to PodInitialBackoffSeconds");
    }
    LeaderElection le = leaderElection(root.path("leaderElection"));
    List<ProfileConfig> profiles = new ArrayList<>();
    JsonNode profileNodes = root.path("profiles");
    if (!profileNodes.isMissingNode() && !profileNodes.isNull() && !profileNodes.isArray()) {
      throw new InvalidConfigException("profiles", "Invalid value: must be a list");
    }
    int count = profileNodes.isArray() ? profileNodes.size() : 0;
    if (count == 0) {
      profiles.add(profile(Json.MAPPER.createObjectNode(), "profiles[0]", true));
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < count; i++) {
      String field = "profiles[" + i + "]";
      ProfileConfig p = profile(profileNodes.get(i), field, count == 1);
      if (!names.add(p.schedulerName())) {
        throw new InvalidConfigException(
            field + ".schedulerName", "Duplicate value: \"" + p.schedulerName() + "\"");
      }
      if (i > 0
          && !p.enabled(ExtensionPoint.QUEUE_SORT)
              .equals(profiles.get(0).enabled(ExtensionPoint.QUEUE_SORT))) {
        throw new InvalidConfigException(
            field + ".plugins.queueSort",
            "Invalid value: queueSort must be the same for all profiles");
      }
      profiles.add(p);
    }
    return new SchedulerConfiguration(
        profiles,
        percentage,
        Duration.ofSeconds(initial),
        Duration.ofSeconds(max),
        parallelism,
        le);
  }

  private static LeaderElection leaderElection(JsonNode n) {
    LeaderElection d = LeaderElection.defaults();
    if (n.isMissingNode() || n.isNull()) {
      return d;
    }
    String lock = n.path("resourceLock").asString("leases");
    if (!lock.equals("leases")) {
      throw new InvalidConfigException(
          "leaderElection.resourceLock",
          "Unsupported value: \"" + lock + "\": supported values: \"leases\"");
    }
    LeaderElection le =
        new LeaderElection(
            n.path("leaderElect").asBoolean(d.leaderElect()),
            n.path("resourceNamespace").asString(d.resourceNamespace()),
            n.path("resourceName").asString(d.resourceName()),
            duration(n, "leaseDuration", d.leaseDuration()),
            duration(n, "renewDeadline", d.renewDeadline()),
            duration(n, "retryPeriod", d.retryPeriod()));
    if (le.renewDeadline().compareTo(le.leaseDuration()) >= 0) {
      throw new InvalidConfigException(
          "leaderElection.renewDeadline", "Invalid value: must be less than leaseDuration");
    }
    return le;
  }

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private static Duration duration(JsonNode n, String field, Duration defaultValue) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return defaultValue;
    }
    String text = v.asString("");
    Matcher m = DURATION_PART.matcher(text);
    long nanos = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      double amount = Double.parseDouble(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos += (long) (amount * unit);
      end = m.end();
    }
    if (end == 0 || end != text.length() || nanos <= 0) {
      throw new InvalidConfigException(
          "leaderElection." + field,
          "Invalid value: \"" + text + "\": must be a positive duration such as 15s");
    }
    return Duration.ofNanos(nanos);
  }

  private static int intField(JsonNode n, String name, int defaultValue, String prefix) {
    JsonNode v = n.path(name);
    if (v.isMissingNode() || v.isNull()) {
      return defaultValue;
    }
    if (!v.isIntegralNumber()) {
      throw new InvalidConfigException(
          prefix + name, "Invalid value: " + v + ": must be an integer");
    }
    return v.asInt();
  }

  private static void unknownFields(JsonNode n, Set<String> known, String prefix) {
    for (String name : n.propertyNames()) {
      if (!known.contains(name)) {
        throw new InvalidConfigException(prefix + name, "unknown field \"" + name + "\"");
      }
    }
  }

  private static final Set<String> PROFILE_FIELDS =
      Set.of("schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig");

  private static ProfileConfig profile(JsonNode n, String field, boolean only) {
    if (!n.isObject()) {
      throw new InvalidConfigException(field, "Invalid value: must be an object");
    }
    unknownFields(n, PROFILE_FIELDS, field + ".");
    String name = n.path("schedulerName").asString(only ? DEFAULT_SCHEDULER_NAME : "");
    if (name.isEmpty()) {
      throw new InvalidConfigException(field + ".schedulerName", "Required value");
    }
    Integer percentage = null;
    if (!n.path("percentageOfNodesToScore").isMissingNode()) {
      percentage = intField(n, "percentageOfNodesToScore", 0, field + ".");
      if (percentage < 0 || percentage > 100) {
        throw new InvalidConfigException(
            field + ".percentageOfNodesToScore",
            "Invalid value: " + percentage + ": not in valid range [0-100]");
      }
    }
    Map<String, Class<? extends Plugin>> types = PluginRegistry.inTreeTypes();
    JsonNode plugins = n.path("plugins");
    PluginSet multiPoint =
        merge(
            new PluginSet(DEFAULT_MULTI_POINT, Set.of()),
            pluginSet(plugins.path("multiPoint"), field + ".plugins.multiPoint", types));
    Map<ExtensionPoint, List<PluginRef>> resolved = new EnumMap<>(ExtensionPoint.class);
    for (ExtensionPoint point : ExtensionPoint.values()) {
      String pointField = field + ".plugins." + point.configName();
      PluginSet specific = pluginSet(plugins.path(point.configName()), pointField, types);
      for (int i = 0; i < specific.enabled().size(); i++) {
        String pluginName = specific.enabled().get(i).name();
        if (!point.type().isAssignableFrom(types.get(pluginName))) {
          throw new InvalidConfigException(
              pointField + ".enabled[" + i + "].name",
              "Invalid value: \""
                  + pluginName
                  + "\": plugin does not extend "
                  + point.configName());
        }
      }
      resolved.put(point, expand(point, multiPoint, specific, types));
    }
    if (resolved.get(ExtensionPoint.QUEUE_SORT).size() > 1) {
      throw new InvalidConfigException(
          field + ".plugins.queueSort", "Invalid value: only one queue sort plugin can be enabled");
    }
    if (resolved.get(ExtensionPoint.BIND).isEmpty()) {
      throw new InvalidConfigException(
          field + ".plugins.bind", "Required value: at least one bind plugin is needed");
    }
    Map<String, JsonNode> args = new HashMap<>();
    JsonNode config = n.path("pluginConfig");
    for (int i = 0; config.isArray() && i < config.size(); i++) {
      String cfgField = field + ".pluginConfig[" + i + "]";
      String pluginName = config.get(i).path("name").asString("");
      if (!types.containsKey(pluginName)) {
        throw new InvalidConfigException(
            cfgField + ".name", "Invalid value: \"" + pluginName + "\": unknown plugin");
      }
      if (args.containsKey(pluginName)) {
        throw new InvalidConfigException(
            cfgField + ".name", "Duplicate value: \"" + pluginName + "\"");
      }
      JsonNode a = config.get(i).path("args");
      try {
        PluginRegistry.validateArgs(pluginName, a.isMissingNode() ? null : a);
      } catch (InvalidConfigException e) {
        throw e.under(cfgField + ".args");
      }
      if (!a.isMissingNode()) {
        args.put(pluginName, a);
      }
    }
    return new ProfileConfig(name, percentage, resolved, args);
  }

  private record PluginSet(List<PluginRef> enabled, Set<String> disabled) {}

  private static PluginSet pluginSet(
      JsonNode n, String field, Map<String, Class<? extends Plugin>> types) {
    List<PluginRef> enabled = new ArrayList<>();
    Set<String> disabled = new LinkedHashSet<>();
    if (n.isMissingNode() || n.isNull()) {
      return new PluginSet(enabled, disabled);
    }
    JsonNode en = n.path("enabled");
    for (int i = 0; en.isArray() && i < en.size(); i++) {
      String name = en.get(i).path("name").asString("");
      if (!types.containsKey(name)) {
        throw new InvalidConfigException(
            field + ".enabled[" + i + "].name", "Invalid value: \"" + name + "\": unknown plugin");
      }
      int weight = en.get(i).path("weight").asInt(0);
      if (weight < 0) {
        throw new InvalidConfigException(
            field + ".enabled[" + i + "].weight",
            "Invalid value: " + weight + ": must be positive");
      }
      enabled.add(new PluginRef(name, weight));
    }
    JsonNode dis = n.path("disabled");
    for (int i = 0; dis.isArray() && i < dis.size(); i++) {
      String name = dis.get(i).path("name").asString("");
      if (!name.equals("*") && !types.containsKey(name)) {
        throw new InvalidConfigException(
            field + ".disabled[" + i + "].name", "Invalid value: \"" + name + "\": unknown plugin");
      }
      disabled.add(name);
    }
    return new PluginSet(enabled, disabled);
  }

  /** Custom settings over defaults: disabled ones drop out, re-enabled ones replace in place. */
  private static PluginSet merge(PluginSet defaults, PluginSet custom) {
    Map<String, PluginRef> customByName = new LinkedHashMap<>();
    for (PluginRef r : custom.enabled()) {
      customByName.put(r.name(), r);
    }
    List<PluginRef> out = new ArrayList<>();
    Set<String> replaced = new HashSet<>();
    if (!custom.disabled().contains("*")) {
      for (PluginRef d : defaults.enabled()) {
        if (custom.disabled().contains(d.name())) {
          continue;
        }
        PluginRef c = customByName.get(d.name());
        if (c != null) {
          replaced.add(d.name());
          out.add(c);
        } else {
          out.add(d);
        }
      }
    }
    for (PluginRef c : custom.enabled()) {
      if (!replaced.contains(c.name())) {
        out.add(c);
      }
    }
    return new PluginSet(out, custom.disabled());
  }

  /**
   * The plugins of one extension point: those the point enables explicitly that MultiPoint also
   * names, then MultiPoint plugins implementing the point, then the other explicit ones.
   */
  private static List<PluginRef> expand(
      ExtensionPoint point,
      PluginSet multiPoint,
      PluginSet specific,
      Map<String, Class<? extends Plugin>> types) {
    Map<String, PluginRef> explicit = new LinkedHashMap<>();
    for (PluginRef r : specific.enabled()) {
      explicit.put(r.name(), r);
    }
    List<PluginRef> overrides = new ArrayList<>();
    List<PluginRef> fromMultiPoint = new ArrayList<>();
    if (!specific.disabled().contains("*")) {
      for (PluginRef r : multiPoint.enabled()) {
        if (!point.type().isAssignableFrom(types.get(r.name()))
            || specific.disabled().contains(r.name())) {
          continue;
        }
        if (explicit.containsKey(r.name())) {
          overrides.add(explicit.get(r.name()));
        } else {
          fromMultiPoint.add(r);
        }
      }
    }
    List<PluginRef> out = new ArrayList<>(overrides);
    out.addAll(fromMultiPoint);
    for (PluginRef r : specific.enabled()) {
      if (!overrides.contains(r)) {
        out.add(r);
      }
    }
    return List.copyOf(out);
  }

  /** This configuration with leader election switched on or off (the --leader-elect flag). */
  public SchedulerConfiguration withLeaderElect(boolean leaderElect) {
    LeaderElection le = leaderElection;
    return new SchedulerConfiguration(
        profiles,
        percentageOfNodesToScore,
        podInitialBackoff,
        podMaxBackoff,
        parallelism,
        new LeaderElection(
            leaderElect,
            le.resourceNamespace(),
            le.resourceName(),
            le.leaseDuration(),
            le.renewDeadline(),
            le.retryPeriod()));
  }
}
