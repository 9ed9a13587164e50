package dev.skiff.apiserver.admission.webhook;

import dev.skiff.api.Json;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * POSTs AdmissionReviews to webhooks over HTTPS. The server's certificate must chain to the
 * webhook's caBundle and name the URL's host (or {@code <service>.<namespace>.svc}); each call is
 * bounded by the webhook's timeoutSeconds, which is also sent as the {@code timeout} query
 * parameter. Failures are reported as kube-apiserver words them, e.g. {@code failed to call
 * webhook: Post "https://...?timeout=10s": context deadline exceeded}.
 */
final class WebhookClient implements AutoCloseable {
  private static final int MAX_CLIENTS = 64;

  private record ClientKey(String caBundle, String serverName) {}

  /**
   * Where one call goes.
   *
   * @param shown the URL as Kubernetes reports it in errors (service references by DNS name)
   * @param dialled the URL connected to (a service reference's endpoint address)
   */
  private record Target(String shown, URI dialled, String serverName) {}

  private final EndpointResolver endpoints;
  private final Map<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();

  WebhookClient(EndpointResolver endpoints) {
    this.endpoints = endpoints;
  }

  /**
   * The webhook's AdmissionReview answer.
   *
   * @throws CallingWebhookException when it cannot be reached, times out, fails TLS, answers with
   *     an error status or something that is not JSON
   */
  JsonNode post(Webhook webhook, ObjectNode review) {
    Target target = target(webhook);
    String post = "Post \"" + target.shown() + "\"";
    if (clients.size() >= MAX_CLIENTS) {
      closeClients();
    }
    HttpClient client;
    try {
      client =
          clients.computeIfAbsent(
              new ClientKey(webhook.clientConfig().caBundle(), target.serverName()), this::client);
    } catch (IllegalArgumentException e) {
      throw new CallingWebhookException("failed to call webhook: " + post + ": " + e.getMessage());
    }
    Duration timeout = Duration.ofSeconds(webhook.timeoutSeconds());
    HttpRequest request =
        HttpRequest.newBuilder(target.dialled())
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(review)))
            .build();
    CompletableFuture<HttpResponse<byte[]>> call =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> response;
    try {
      response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw failed(post, "context deadline exceeded", e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw failed(post, "context canceled", e);
    } catch (ExecutionException e) {
      throw failed(post, describe(e.getCause(), target.dialled()), e.getCause());
    }
    if (response.statusCode() < 200 || response.statusCode() > 299) {
      throw new CallingWebhookException(
          "failed to call webhook: " + statusError(response.statusCode(), response.body()));
    }
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (JacksonException e) {
      throw new CallingWebhookException(
          "failed to call webhook: couldn't get version/kind; json parse error: "
              + e.getOriginalMessage());
    }
  }

  private static CallingWebhookException failed(String post, String reason, Throwable cause) {
    return new CallingWebhookException("failed to call webhook: " + post + ": " + reason, cause);
  }

  private static String statusError(int code, byte[] body) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
    if (code >= 500) {
      return "an error on the server (\"" + text + "\") has prevented the request from succeeding";
    }
    return "the server responded with the status code "
        + code
        + " but did not return more information";
  }

  /** A transport failure in Go's words where they are well known. */
  private static String describe(Throwable error, URI dialled) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ServerNameTrustManager.VerificationFailed failed) {
        return "tls: failed to verify certificate: " + failed.getMessage();
      }
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpTimeoutException) {
        return "context deadline exceeded";
      }
      if (cause instanceof ConnectException) {
        return "dial tcp "
            + dialled.getHost()
            + ":"
            + dialled.getPort()
            + ": connect: connection refused";
      }
    }
    String message = error.getMessage();
    return message == null || message.isEmpty() ? error.getClass().getSimpleName() : message;
  }

  private Target target(Webhook webhook) {
    Webhook.ClientConfig config = webhook.clientConfig();
    String timeout = "timeout=" + webhook.timeoutSeconds() + "s";
    if (config.url() != null) {
      URI uri;
      try {
        uri = new URI(config.url());
      } catch (URISyntaxException e) {
        throw new CallingWebhookException("invalid webhook url: " + e.getMessage());
      }
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        throw new CallingWebhookException(
            "webhook url must be an https URL with a host: " + config.url());
      }
      String shown = config.url() + (uri.getRawQuery() == null ? "?" : "&") + timeout;
      String host = uri.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new Target(shown, URI.create(shown), host);
    }
    Webhook.ServiceReference service = config.service();
    if (service == null) {
      throw new CallingWebhookException("webhook has neither clientConfig.url nor service");
    }
    String serverName = service.name() + "." + service.namespace() + ".svc";
    String path = service.path().startsWith("/") ? service.path() : "/" + service.path();
    String shown = "https://" + serverName + ":" + service.port() + path + "?" + timeout;
    EndpointResolver.Endpoint endpoint;
    try {
      endpoint = endpoints.resolve(service);
    } catch (CallingWebhookException e) {
      throw new CallingWebhookException(
          "failed to call webhook: Post \"" + shown + "\": " + e.getMessage());
    }
    String host = endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host();
    URI dialled = URI.create("https://" + host + ":" + endpoint.port() + path + "?" + timeout);
    return new Target(shown, dialled, serverName);
  }

  private HttpClient client(ClientKey key) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null,
          new TrustManager[] {new ServerNameTrustManager(key.caBundle(), key.serverName())},
          null);
      SSLParameters parameters = new SSLParameters();
      if (!ServerNameTrustManager.isIpLiteral(key.serverName())) {
        parameters.setServerNames(List.of(new SNIHostName(key.serverName())));
      }
      return HttpClient.newBuilder()
          .sslContext(context)
          .sslParameters(parameters)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private void closeClients() {
    for (ClientKey key : List.copyOf(clients.keySet())) {
      HttpClient removed = clients.remove(key);
      if (removed != null) {
        removed.shutdown();
      }
    }
  }

  @Override
  public void close() {
    closeClients();
  }
}
