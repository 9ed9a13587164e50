package dev.skiff.apiserver.proxy;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.quantity.Quantity;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves {@code metrics.k8s.io/v1beta1} NodeMetrics and PodMetrics (get and list, label selectors)
 * from {@link ResourceMetricsScraper}, the way metrics-server does: objects without a window yet
 * are left out of lists and not found by name.
 */
final class MetricsHandler implements ApiHandler {
  static final String GROUP = "metrics.k8s.io";
  static final String VERSION = "v1beta1";
  private static final String API_VERSION = GROUP + "/" + VERSION;
  private static final String PREFIX = "/apis/" + API_VERSION;
  private static final Pattern NODES = Pattern.compile("^" + PREFIX + "/nodes(?:/([^/]+))?/?$");
  private static final Pattern PODS =
      Pattern.compile("^" + PREFIX + "(?:/namespaces/([^/]+))?/pods(?:/([^/]+))?/?$");

  /** The resources this handler serves, as discovery lists them. */
  static final List<ResourceType> TYPES =
      List.of(
          new ResourceType(
              GROUP,
              VERSION,
              "NodeMetrics",
              "nodes",
              "",
              false,
              List.of(),
              List.of(),
              List.of("get", "list"),
              List.of(),
              VERSION),
          new ResourceType(
              GROUP,
              VERSION,
              "PodMetrics",
              "pods",
              "",
              true,
              List.of(),
              List.of(),
              List.of("get", "list"),
              List.of(),
              VERSION));

  private final ClusterObjects objects;
  private final ResourceMetricsScraper scraper;
  private final InstantSource clock;

  MetricsHandler(ClusterObjects objects, ResourceMetricsScraper scraper, InstantSource clock) {
    this.objects = objects;
    this.scraper = scraper;
    this.clock = clock;
  }

  /** True for resource paths under /apis/metrics.k8s.io/v1beta1 (discovery is served elsewhere). */
  static boolean handles(String path) {
    return path.startsWith(PREFIX + "/");
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    Matcher nodes = NODES.matcher(request.path());
    Matcher pods = PODS.matcher(request.path());
    if (!nodes.matches() && !pods.matches()) {
      throw new ApiException(
          404,
          "NotFound",
          "the server could not find the requested resource",
          new ApiException.Details(null, null, null, null, null));
    }
    if (!request.method().equals("GET") || isTrue(request.param("watch"))) {
      throw ApiException.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    scraper.ensureScraped();
    String selector = request.param("labelSelector");
    ObjectNode body;
    if (nodes.matches()) {
      String name = nodes.group(1);
      body = name == null ? nodeList(selector) : nodeMetrics(name);
    } else {
      String namespace = pods.group(1);
      String name = pods.group(2);
      if (name != null && namespace == null) {
        throw ApiException.notFound(GROUP, "podmetrics", name);
      }
      body = name == null ? podList(namespace, selector) : podMetrics(namespace, name);
    }
    return new ApiResponse.Full(200, "application/json", Json.bytes(body));
  }

  private ObjectNode nodeMetrics(String name) {
    ObjectNode node;
    try {
      node = objects.get("/api/v1/nodes/" + name);
    } catch (ApiException e) {
      if (e.code() == 404) {
        throw ApiException.notFound(GROUP, "nodemetrics", name);
      }
      throw e;
    }
    return nodeMetrics(node).orElseThrow(() -> ApiException.notFound(GROUP, "nodemetrics", name));
  }

  private Optional<ObjectNode> nodeMetrics(JsonNode node) {
    String name = node.path("metadata").path("name").asString("");
    return scraper
        .node(name)
        .map(
            usage -> {
              ObjectNode metrics = object("NodeMetrics", node, false);
              window(metrics, usage);
              usage(metrics.putObject("usage"), usage);
              return metrics;
            });
  }

  private ObjectNode nodeList(String selector) {
    ObjectNode list = list("NodeMetricsList");
    ArrayNode items = list.putArray("items");
    for (ObjectNode node : objects.list("/api/v1/nodes", selector)) {
      nodeMetrics(node).ifPresent(items::add);
    }
    return list;
  }

  private ObjectNode podMetrics(String namespace, String name) {
    ObjectNode pod;
    try {
      pod = objects.get("/api/v1/namespaces/" + namespace + "/pods/" + name);
    } catch (ApiException e) {
      if (e.code() == 404) {
        throw ApiException.notFound(GROUP, "podmetrics", name);
      }
      throw e;
    }
    return podMetrics(pod).orElseThrow(() -> ApiException.notFound(GROUP, "podmetrics", name));
  }

  private Optional<ObjectNode> podMetrics(JsonNode pod) {
    String namespace = pod.path("metadata").path("namespace").asString("");
    String name = pod.path("metadata").path("name").asString("");
    Map<String, ResourceUsage> containers = scraper.pod(namespace, name);
    if (containers.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode metrics = object("PodMetrics", pod, true);
    ResourceUsage any = containers.values().iterator().next();
    window(metrics, any);
    ArrayNode list = metrics.putArray("containers");
    containers.forEach(
        (container, usage) -> {
          ObjectNode entry = list.addObject();
          entry.put("name", container);
          usage(entry.putObject("usage"), usage);
        });
    return Optional.of(metrics);
  }

  private ObjectNode podList(String namespace, String selector) {
    ObjectNode list = list("PodMetricsList");
    ArrayNode items = list.putArray("items");
    String path = namespace == null ? "/api/v1/pods" : "/api/v1/namespaces/" + namespace + "/pods";
    for (ObjectNode pod : objects.list(path, selector)) {
      podMetrics(pod).ifPresent(items::add);
    }
    return list;
  }

  private ObjectNode object(String kind, JsonNode source, boolean namespaced) {
    ObjectNode object = Json.object();
    object.put("kind", kind);
    object.put("apiVersion", API_VERSION);
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", source.path("metadata").path("name").asString(""));
    if (namespaced) {
      metadata.put("namespace", source.path("metadata").path("namespace").asString(""));
    }
    metadata.put("creationTimestamp", timestamp(clock.instant()));
    JsonNode labels = source.path("metadata").path("labels");
    if (labels.isObject() && !labels.isEmpty()) {
      metadata.set("labels", labels.deepCopy());
    }
    return object;
  }

  private static ObjectNode list(String kind) {
    ObjectNode list = Json.object();
    list.put("kind", kind);
    list.put("apiVersion", API_VERSION);
    list.putObject("metadata");
    return list;
  }

  private static void window(ObjectNode metrics, ResourceUsage usage) {
    metrics.put("timestamp", timestamp(usage.timestamp()));
    metrics.put("window", goDuration(usage.window()));
  }

  private static void usage(ObjectNode target, ResourceUsage usage) {
    target.put("cpu", cpu(usage.nanocores()));
    target.put("memory", Quantity.of(usage.memoryBytes(), Quantity.Format.BINARY_SI).canonical());
  }

  /** CPU as metrics-server writes it: nanocores in canonical quantity form, e.g. "123456n". */
  static String cpu(long nanocores) {
    return Quantity.parse(Math.max(0, nanocores) + "n").canonical();
  }

  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A duration the way Go prints it (metav1.Duration): "15s", "10.5s", "1m0.25s", "500ms". */
  static String goDuration(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    if (nanos < 1_000_000_000L) {
      if (nanos % 1_000_000 == 0) {
        return nanos / 1_000_000 + "ms";
      }
      return trimZeros(String.format(Locale.ROOT, "%.6f", nanos / 1e6)) + "ms";
    }
    long hours = nanos / 3_600_000_000_000L;
    long minutes = (nanos / 60_000_000_000L) % 60;
    long secondNanos = nanos % 60_000_000_000L;
    String seconds = trimZeros(BigDecimal.valueOf(secondNanos, 9).toPlainString()) + "s";
    StringBuilder text = new StringBuilder();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      text.append(minutes).append('m');
    }
    return text.append(seconds).toString();
  }

  private static String trimZeros(String decimal) {
    if (!decimal.contains(".")) {
      return decimal;
    }
    String trimmed = decimal.replaceAll("0+$", "");
    return trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }

  private static boolean isTrue(String value) {
    return value != null && (value.equals("true") || value.equals("1"));
  }
}
