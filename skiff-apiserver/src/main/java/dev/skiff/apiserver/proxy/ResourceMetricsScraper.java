package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.proxy.PrometheusText.Sample;
import dev.skiff.apiserver.proxy.ResourceUsage.Reading;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The in-process metrics-server: every 15 seconds (and on demand for nodes without data) reads each
 * Ready node's kubelet {@code /metrics/resource} and keeps the last two readings per node, from
 * which node and container usage over a window are computed.
 */
final class ResourceMetricsScraper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ResourceMetricsScraper.class);
  static final Duration INTERVAL = Duration.ofSeconds(15);
  private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SECOND_READING_DELAY = Duration.ofSeconds(1);

  /** A container of a pod, as the kubelet labels its samples. */
  record ContainerKey(String namespace, String pod, String container) {}

  /** One scrape of a node: the node's reading and each container's. */
  record NodeScrape(Reading node, Map<ContainerKey, Reading> containers) {}

  /** The two latest scrapes of a node with distinct times. */
  private record History(NodeScrape previous, NodeScrape latest) {}

  private final ClusterObjects objects;
  private final BackendHttp http;
  private final InstantSource clock;
  private final Map<String, History> histories = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("metrics-scraper").factory());
  private final Map<String, Instant> onDemand = new ConcurrentHashMap<>();

  ResourceMetricsScraper(ClusterObjects objects, BackendHttp http, InstantSource clock) {
    this.objects = objects;
    this.http = http;
    this.clock = clock;
  }

  void start() {
    timer.scheduleWithFixedDelay(
        this::scrapeQuietly, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Called before answering: Ready nodes without a window yet (just registered, or not scraped
   * since the server started) are scraped at once, and again a second later when that gave them
   * only their first reading. Each node is scraped this way at most once per interval.
   */
  void ensureScraped() {
    Instant now = clock.instant();
    List<ObjectNode> missing = new ArrayList<>();
    for (ObjectNode node : objects.list("/api/v1/nodes", "")) {
      String name = node.path("metadata").path("name").asString("");
      History history = histories.get(name);
      Instant tried = onDemand.get(name);
      if (isReady(node)
          && (history == null || history.previous() == null)
          && (tried == null || tried.plus(INTERVAL).isBefore(now))) {
        missing.add(node);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    synchronized (this) {
      missing.forEach(n -> onDemand.put(n.path("metadata").path("name").asString(""), now));
      scrape(missing);
      List<ObjectNode> firstOnly =
          missing.stream()
              .filter(
                  n -> {
                    History h = histories.get(n.path("metadata").path("name").asString(""));
                    return h != null && h.previous() == null;
                  })
              .toList();
      if (firstOnly.isEmpty()) {
        return;
      }
      try {
        Thread.sleep(SECOND_READING_DELAY);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      scrape(firstOnly);
    }
  }

  private void scrapeQuietly() {
    try {
      scrapeAll();
    } catch (RuntimeException e) {
      log.warn("event=metrics_scrape_failed reason={}", e.toString());
    }
  }

  /** Scrapes every Ready node in parallel; forgets nodes that are gone or not Ready. */
  synchronized void scrapeAll() {
    List<ObjectNode> ready =
        objects.list("/api/v1/nodes", "").stream().filter(ResourceMetricsScraper::isReady).toList();
    scrape(ready);
    Set<String> names = new HashSet<>();
    ready.forEach(n -> names.add(n.path("metadata").path("name").asString("")));
    histories.keySet().retainAll(names);
    onDemand.keySet().retainAll(names);
  }

  private void scrape(List<ObjectNode> nodes) {
    List<Thread> scrapes = new ArrayList<>();
    for (ObjectNode node : nodes) {
      String name = node.path("metadata").path("name").asString("");
      scrapes.add(Thread.ofVirtual().name("scrape-" + name).start(() -> scrapeNode(name, node)));
    }
    for (Thread scrape : scrapes) {
      try {
        scrape.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void scrapeNode(String name, JsonNode node) {
    try {
      KubeletEndpoint kubelet = KubeletEndpoint.of(node);
      HttpResponse<InputStream> response =
          http.send(
              "GET",
              URI.create(kubelet.baseUrl() + "/metrics/resource"),
              Map.of("Accept", List.of("text/plain")),
              new byte[0],
              SCRAPE_TIMEOUT,
              "error dialing backend");
      String text = BackendHttp.errorText(response);
      if (response.statusCode() != 200) {
        log.info("event=metrics_scrape_failed node={} status={}", name, response.statusCode());
        return;
      }
      NodeScrape scrape = parse(text, clock.instant());
      if (scrape == null) {
        log.info("event=metrics_scrape_failed node={} reason=no_node_samples", name);
        return;
      }
      histories.merge(
          name,
          new History(null, scrape),
          (old, fresh) ->
              scrape.node().at().isAfter(old.latest().node().at())
                  ? new History(old.latest(), scrape)
                  : old);
    } catch (ApiException | IllegalArgumentException e) {
      log.info("event=metrics_scrape_failed node={} reason={}", name, e.getMessage());
    }
  }

  /** The readings of one {@code /metrics/resource} body; null without the node's samples. */
  static NodeScrape parse(String text, Instant now) {
    Double nodeCpu = null;
    Double nodeMemory = null;
    Instant nodeAt = null;
    Map<ContainerKey, Double> cpu = new HashMap<>();
    Map<ContainerKey, Instant> cpuAt = new HashMap<>();
    Map<ContainerKey, Double> memory = new HashMap<>();
    for (Sample sample : PrometheusText.parse(text)) {
      Instant at =
          sample.timestampMillis() == null ? now : Instant.ofEpochMilli(sample.timestampMillis());
      switch (sample.name()) {
        case "node_cpu_usage_seconds_total" -> {
          nodeCpu = sample.value();
          nodeAt = at;
        }
        case "node_memory_working_set_bytes" -> nodeMemory = sample.value();
        case "container_cpu_usage_seconds_total" -> {
          ContainerKey key = key(sample);
          cpu.put(key, sample.value());
          cpuAt.put(key, at);
        }
        case "container_memory_working_set_bytes" -> memory.put(key(sample), sample.value());
        default -> {}
      }
    }
    if (nodeCpu == null || nodeMemory == null) {
      return null;
    }
    Map<ContainerKey, Reading> containers = new HashMap<>();
    cpu.forEach(
        (key, seconds) -> {
          Double bytes = memory.get(key);
          if (bytes != null) {
            containers.put(key, new Reading(seconds, bytes, cpuAt.get(key)));
          }
        });
    return new NodeScrape(new Reading(nodeCpu, nodeMemory, nodeAt), containers);
  }

  private static ContainerKey key(Sample sample) {
    return new ContainerKey(
        sample.labels().getOrDefault("namespace", ""),
        sample.labels().getOrDefault("pod", ""),
        sample.labels().getOrDefault("container", ""));
  }

  /** A node's usage over its last window, if two readings made one. */
  Optional<ResourceUsage> node(String name) {
    History history = histories.get(name);
    if (history == null || history.previous() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        ResourceUsage.between(history.previous().node(), history.latest().node()));
  }

  /** The usage of each container of a pod (by container name) over the last window. */
  Map<String, ResourceUsage> pod(String namespace, String pod) {
    Map<String, ResourceUsage> usage = new TreeMap<>();
    for (History history : histories.values()) {
      if (history.previous() == null) {
        continue;
      }
      history
          .latest()
          .containers()
          .forEach(
              (key, reading) -> {
                if (key.namespace().equals(namespace) && key.pod().equals(pod)) {
                  ResourceUsage between =
                      ResourceUsage.between(history.previous().containers().get(key), reading);
                  if (between != null) {
                    usage.put(key.container(), between);
                  }
                }
              });
    }
    return usage;
  }

  private static boolean isReady(JsonNode node) {
    for (JsonNode condition : node.path("status").path("conditions")) {
      if ("Ready".equals(condition.path("type").asString(""))) {
        return "True".equals(condition.path("status").asString(""));
      }
    }
    return false;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
