package dev.skiff.scheduler.client;

import dev.skiff.api.Json;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link ClusterClient} over the fabric8 client's HTTP client (its authentication and TLS): the
 * binding, status patches and events go out asynchronously where the scheduler need not wait.
 */
public final class Fabric8ClusterClient implements ClusterClient {
  private static final Logger log = LoggerFactory.getLogger(Fabric8ClusterClient.class);
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);
  private static final String JSON = "application/json";
  private static final String MERGE_PATCH = "application/merge-patch+json";

  private final HttpClient http;
  private final String base;
  private final InstantSource clock;
  private final String hostname;

  /**
   * Recent events by what they say, so that a repetition within {@link #SERIES_WINDOW} updates the
   * event's series instead of creating another object, as the events/v1 recorder does.
   */
  private final Map<SeriesKey, Series> recent =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SeriesKey, Series> eldest) {
          return size() > MAX_RECENT_EVENTS;
        }
      };

  static final Duration SERIES_WINDOW = Duration.ofMinutes(6);
  private static final int MAX_RECENT_EVENTS = 4096;

  private record SeriesKey(
      String namespace,
      String name,
      String uid,
      String controller,
      String type,
      String reason,
      String action,
      String note) {}

  private static final class Series {
    final String eventName;
    int count = 1;
    Instant lastObserved;

    Series(String eventName, Instant lastObserved) {
      this.eventName = eventName;
      this.lastObserved = lastObserved;
    }
  }

  public Fabric8ClusterClient(KubernetesClient client, InstantSource clock, String hostname) {
    this.http = client.getHttpClient();
    String url = client.getMasterUrl().toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.clock = clock;
    this.hostname = hostname;
  }

  private static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private String podPath(Pod pod) {
    return base
        + "/api/v1/namespaces/"
        + seg(pod.getMetadata().getNamespace())
        + "/pods/"
        + seg(pod.getMetadata().getName());
  }

  private CompletableFuture<HttpResponse<String>> send(
      String method, String url, String contentType, ObjectNode body) {
    HttpRequest.Builder b = http.newHttpRequestBuilder().uri(url);
    b.method(method, contentType, Json.MAPPER.writeValueAsString(body));
    return http.sendAsync(b.build(), String.class);
  }

  private static void check(HttpResponse<String> r, String what) {
    if (r.code() < 200 || r.code() > 299) {
      String message = r.body();
      try {
        message = Json.MAPPER.readTree(r.body()).path("message").asString(r.body());
      } catch (RuntimeException ignored) {
        // not a Status; keep the raw body
      }
      throw new ApiCallException(what + ": HTTP " + r.code() + ": " + message, r.code());
    }
  }

  @Override
  public void bind(Pod pod, String nodeName) {
    ObjectNode binding = Json.object();
    binding.put("apiVersion", "v1");
    binding.put("kind", "Binding");
    ObjectNode meta = binding.putObject("metadata");
    meta.put("name", pod.getMetadata().getName());
    meta.put("namespace", pod.getMetadata().getNamespace());
    if (pod.getMetadata().getUid() != null) {
      meta.put("uid", pod.getMetadata().getUid());
    }
    ObjectNode target = binding.putObject("target");
    target.put("apiVersion", "v1");
    target.put("kind", "Node");
    target.put("name", nodeName);
    HttpResponse<String> r = send("POST", podPath(pod) + "/binding", JSON, binding).join();
    check(r, "binding " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
  }

  @Override
  public void updatePodStatus(Pod pod, PodCondition condition, String nominatedNodeName) {
    ObjectNode patch = Json.object();
    ObjectNode status = patch.putObject("status");
    if (condition != null) {
      ArrayNode conditions = status.putArray("conditions");
      List<PodCondition> existing =
          pod.getStatus() == null || pod.getStatus().getConditions() == null
              ? List.of()
              : pod.getStatus().getConditions();
      List<PodCondition> merged = new ArrayList<>();
      boolean replaced = false;
      for (PodCondition c : existing) {
        if (condition.getType().equals(c.getType())) {
          merged.add(condition);
          replaced = true;
        } else {
          merged.add(c);
        }
      }
      if (!replaced) {
        merged.add(condition);
      }
      for (PodCondition c : merged) {
        conditions.add(Json.MAPPER.valueToTree(c));
      }
    }
    if (nominatedNodeName != null) {
      if (nominatedNodeName.isEmpty()) {
        status.putNull("nominatedNodeName");
      } else {
        status.put("nominatedNodeName", nominatedNodeName);
      }
    }
    String what =
        "updating status of "
            + pod.getMetadata().getNamespace()
            + "/"
            + pod.getMetadata().getName();
    send("PATCH", podPath(pod) + "/status", MERGE_PATCH, patch)
        .whenComplete((r, e) -> logFailure(r, e, what));
  }

  @Override
  public void recordEvent(SchedulerEvent event) {
    Pod pod = event.regarding();
    Instant now = clock.instant();
    String eventsUrl =
        base
            + "/apis/events.k8s.io/v1/namespaces/"
            + seg(pod.getMetadata().getNamespace())
            + "/events";
    SeriesKey key =
        new SeriesKey(
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            pod.getMetadata().getUid(),
            event.reportingController(),
            event.type(),
            event.reason(),
            event.action(),
            event.note());
    ObjectNode seriesPatch = null;
    String seriesEvent = null;
    synchronized (recent) {
      Series s = recent.get(key);
      if (s != null && Duration.between(s.lastObserved, now).compareTo(SERIES_WINDOW) < 0) {
        s.count++;
        s.lastObserved = now;
        seriesPatch = Json.object();
        ObjectNode series = seriesPatch.putObject("series");
        series.put("count", s.count);
        series.put("lastObservedTime", MICRO_TIME.format(now));
        seriesEvent = s.eventName;
      }
    }
    if (seriesPatch != null) {
      send("PATCH", eventsUrl + "/" + seg(seriesEvent), MERGE_PATCH, seriesPatch)
          .whenComplete((r, ex) -> logFailure(r, ex, "updating event series " + event.reason()));
      return;
    }
    ObjectNode e = Json.object();
    e.put("apiVersion", "events.k8s.io/v1");
    e.put("kind", "Event");
    ObjectNode meta = e.putObject("metadata");
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    String eventName = pod.getMetadata().getName() + "." + Long.toHexString(nanos);
    meta.put("name", eventName);
    synchronized (recent) {
      recent.put(key, new Series(eventName, now));
    }
    meta.put("namespace", pod.getMetadata().getNamespace());
    e.put("eventTime", MICRO_TIME.format(now));
    e.put("reportingController", event.reportingController());
    e.put("reportingInstance", event.reportingController() + "-" + hostname);
    e.put("action", event.action());
    e.put("reason", event.reason());
    e.put("type", event.type());
    String note = event.note();
    e.put("note", note.length() > 1024 ? note.substring(0, 1024) : note);
    ObjectNode regarding = e.putObject("regarding");
    regarding.put("apiVersion", "v1");
    regarding.put("kind", "Pod");
    regarding.put("namespace", pod.getMetadata().getNamespace());
    regarding.put("name", pod.getMetadata().getName());
    if (pod.getMetadata().getUid() != null) {
      regarding.put("uid", pod.getMetadata().getUid());
    }
    if (pod.getMetadata().getResourceVersion() != null) {
      regarding.put("resourceVersion", pod.getMetadata().getResourceVersion());
    }
    send("POST", eventsUrl, JSON, e)
        .whenComplete((r, ex) -> logFailure(r, ex, "recording event " + event.reason()));
  }

  @Override
  public void preemptPod(Pod victim, Pod preemptor, String nodeName) {
    String schedulerName =
        preemptor.getSpec().getSchedulerName() == null
            ? "default-scheduler"
            : preemptor.getSpec().getSchedulerName();
    PodCondition condition = new PodCondition();
    condition.setType("DisruptionTarget");
    condition.setStatus("True");
    condition.setReason("PreemptionByScheduler");
    condition.setMessage(schedulerName + ": preempting to accommodate a higher priority pod");
    condition.setLastTransitionTime(
        DateTimeFormatter.ISO_INSTANT.format(
            clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    updatePodStatus(victim, condition, null);
    String what =
        "preempting " + victim.getMetadata().getNamespace() + "/" + victim.getMetadata().getName();
    ObjectNode options = Json.object();
    options.put("apiVersion", "v1");
    options.put("kind", "DeleteOptions");
    send("DELETE", podPath(victim), JSON, options)
        .whenComplete(
            (r, e) -> {
              if (logFailure(r, e, what)) {
                recordEvent(
                    new SchedulerEvent(
                        victim,
                        schedulerName,
                        "Normal",
                        "Preempted",
                        "Preempting",
                        "Preempted by pod "
                            + preemptor.getMetadata().getUid()
                            + " on node "
                            + nodeName));
              }
            });
  }

  @Override
  public void selectNodeForClaim(PersistentVolumeClaim claim, String nodeName) {
    ObjectNode patch = Json.object();
    patch
        .putObject("metadata")
        .putObject("annotations")
        .put("volume.kubernetes.io/selected-node", nodeName);
    String url =
        base
            + "/api/v1/namespaces/"
            + seg(claim.getMetadata().getNamespace())
            + "/persistentvolumeclaims/"
            + seg(claim.getMetadata().getName());
    check(
        send("PATCH", url, MERGE_PATCH, patch).join(),
        "selecting node for claim " + claim.getMetadata().getName());
  }

  @Override
  public void claimVolume(PersistentVolume volume, PersistentVolumeClaim claim) {
    ObjectNode patch = Json.object();
    patch
        .putObject("metadata")
        .putObject("annotations")
        .put("pv.kubernetes.io/bound-by-controller", "yes");
    ObjectNode ref = patch.putObject("spec").putObject("claimRef");
    ref.put("apiVersion", "v1");
    ref.put("kind", "PersistentVolumeClaim");
    ref.put("namespace", claim.getMetadata().getNamespace());
    ref.put("name", claim.getMetadata().getName());
    if (claim.getMetadata().getUid() != null) {
      ref.put("uid", claim.getMetadata().getUid());
    }
    String url = base + "/api/v1/persistentvolumes/" + seg(volume.getMetadata().getName());
    check(
        send("PATCH", url, MERGE_PATCH, patch).join(),
        "binding volume " + volume.getMetadata().getName());
  }

  /** Logs a failed asynchronous call; returns true when it succeeded. */
  private static boolean logFailure(HttpResponse<String> r, Throwable e, String what) {
    if (e != null) {
      log.warn("msg=\"{} failed\" error=\"{}\"", what, e.getMessage());
      return false;
    }
    if (r.code() < 200 || r.code() > 299) {
      log.warn("msg=\"{} failed\" code={}", what, r.code());
      return false;
    }
    return true;
  }

  /** A rejected API call. */
  public static final class ApiCallException extends RuntimeException {
    private final int code;

    public ApiCallException(String message, int code) {
      super(message);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }
}
