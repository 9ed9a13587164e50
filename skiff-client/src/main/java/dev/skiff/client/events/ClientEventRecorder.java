package dev.skiff.client.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventSourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events through the API, aggregating repeats into a count on one Event (the object
 * {@code kubectl describe} lists for the involved object). Writes run on the given executor so a
 * reconcile never waits for them; a failed write is logged and dropped, as Kubernetes does.
 */
public final class ClientEventRecorder implements EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(ClientEventRecorder.class);

  private final KubernetesClient client;
  private final String component;
  private final String host;
  private final InstantSource clock;
  private final Executor executor;
  private final EventCorrelator correlator;

  public ClientEventRecorder(
      KubernetesClient client,
      String component,
      String host,
      InstantSource clock,
      Executor executor,
      EventCorrelator correlator) {
    this.client = client;
    this.component = component;
    this.host = host;
    this.clock = clock;
    this.executor = executor;
    this.correlator = correlator;
  }

  @Override
  public void event(HasMetadata involved, String type, String reason, String message) {
    ObjectReference reference = referenceTo(involved);
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    executor.execute(() -> write(reference, type, reason, message, now));
  }

  /** The involvedObject Kubernetes records: kind, apiVersion, namespace, name, uid, rv. */
  public static ObjectReference referenceTo(HasMetadata object) {
    return new ObjectReferenceBuilder()
        .withApiVersion(object.getApiVersion())
        .withKind(object.getKind())
        .withNamespace(object.getMetadata().getNamespace())
        .withName(object.getMetadata().getName())
        .withUid(object.getMetadata().getUid())
        .withResourceVersion(object.getMetadata().getResourceVersion())
        .build();
  }

  private void write(
      ObjectReference involved, String type, String reason, String message, Instant now) {
    String namespace =
        involved.getNamespace() == null || involved.getNamespace().isEmpty()
            ? "default"
            : involved.getNamespace();
    EventCorrelator.EventKey key =
        new EventCorrelator.EventKey(
            component,
            involved.getUid(),
            involved.getKind(),
            namespace,
            involved.getName(),
            type,
            reason,
            message);
    String timestamp = now.toString();
    EventCorrelator.Seen previous = correlator.previous(key);
    try {
      if (previous != null && incrementCount(namespace, previous, timestamp)) {
        correlator.written(
            key,
            new EventCorrelator.Seen(
                previous.eventName(), previous.count() + 1, previous.firstTimestamp()));
        return;
      }
      String name = involved.getName() + "." + Long.toHexString(nanos(clock.instant()));
      Event event =
          new EventBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(namespace)
              .endMetadata()
              .withInvolvedObject(involved)
              .withType(type)
              .withReason(reason)
              .withMessage(message)
              .withSource(new EventSourceBuilder().withComponent(component).withHost(host).build())
              .withReportingComponent(component)
              .withReportingInstance(host)
              .withFirstTimestamp(timestamp)
              .withLastTimestamp(timestamp)
              .withCount(1)
              .build();
      client.v1().events().inNamespace(namespace).resource(event).create();
      correlator.written(key, new EventCorrelator.Seen(name, 1, timestamp));
    } catch (KubernetesClientException e) {
      LOG.warn(
          "event not recorded reason={} object={}/{} code={} error={}",
          reason,
          namespace,
          involved.getName(),
          e.getCode(),
          e.getMessage());
    }
  }

  /**
   * Bumps a repeated event's count with one PATCH and no read first: a kubelet may create, patch
   * and update events but not get them (Kubernetes' system:node role), and fabric8's patch reads.
   */
  private boolean incrementCount(String namespace, EventCorrelator.Seen previous, String now) {
    int count = previous.count() + 1;
    String patch = "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}";
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + "/api/v1/namespaces/"
            + namespace
            + "/events/"
            + previous.eventName();
    HttpClient http = client.getHttpClient();
    HttpRequest request =
        http.newHttpRequestBuilder()
            .uri(url)
            .method("PATCH", "application/merge-patch+json", patch)
            .build();
    HttpResponse<String> response;
    try {
      response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while patching event " + url, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException("cannot patch event " + url + ": " + e, e);
    }
    if (response.code() == HttpURLConnection.HTTP_NOT_FOUND) {
      return false;
    }
    if (!response.isSuccessful()) {
      throw new KubernetesClientException(
          "patching event " + previous.eventName() + ": " + response.body(), response.code(), null);
    }
    return true;
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
