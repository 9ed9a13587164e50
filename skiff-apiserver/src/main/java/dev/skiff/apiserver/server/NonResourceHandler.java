package dev.skiff.apiserver.server;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the transport's own paths — /healthz, /livez, /readyz (and one check under each),
 * /version, and /cacerts (the CA bundle, public as in k3s: a joining node compares its hash with
 * the one in its join token before trusting the server) — and hands every other request to the API
 * handler.
 */
final class NonResourceHandler implements ApiHandler {
  private static final Logger log = LoggerFactory.getLogger(NonResourceHandler.class);
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final Map<String, List<String>> NOSNIFF =
      Map.of("X-Content-Type-Options", List.of("nosniff"));

  static final String CACERTS = "/cacerts";

  /** Paths anonymous callers may read (Kubernetes' system:public-info-viewer). */
  private static final List<String> PUBLIC_PATHS =
      List.of("/healthz", "/livez", "/readyz", "/version", CACERTS);

  private final ApiHandler delegate;
  private final HealthChecks checks;
  private final byte[] version;
  private final byte[] caBundle;

  NonResourceHandler(
      ApiHandler delegate, HealthChecks checks, VersionInfo version, String caBundlePem) {
    this.delegate = delegate;
    this.caBundle = caBundlePem.getBytes(StandardCharsets.UTF_8);
    this.checks = checks;
    this.version = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(version.toJson());
  }

  /** Whether anonymous callers may request {@code path}. */
  static boolean isPublic(String path) {
    for (String prefix : PUBLIC_PATHS) {
      if (path.startsWith(prefix)
          && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    String path = request.path();
    if (path.equals("/version") || path.equals("/version/")) {
      requireRead(request);
      return new ApiResponse.Full(200, "application/json", version);
    }
    if (path.equals(CACERTS)) {
      requireRead(request);
      return new ApiResponse.Full(200, TEXT, caBundle);
    }
    int second = path.indexOf('/', 1);
    String first = second < 0 ? path.substring(1) : path.substring(1, second);
    HealthChecks.Endpoint endpoint = HealthChecks.BY_PATH.get(first);
    if (endpoint == null) {
      return delegate.handle(request);
    }
    requireRead(request);
    String rest = second < 0 ? "" : path.substring(second + 1);
    return rest.isEmpty() ? all(endpoint, request) : single(endpoint, rest);
  }

  private static void requireRead(ApiRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      throw ApiException.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
  }

  private ApiResponse all(HealthChecks.Endpoint endpoint, ApiRequest request) {
    Set<String> excluded = new HashSet<>(request.query().getOrDefault("exclude", List.of()));
    StringBuilder lines = new StringBuilder();
    StringBuilder failures = new StringBuilder();
    for (HealthChecks.Named named : checks.of(endpoint)) {
      if (excluded.remove(named.name())) {
        lines.append("[+]").append(named.name()).append(" excluded: ok\n");
        continue;
      }
      String failure = run(named.check());
      if (failure == null) {
        lines.append("[+]").append(named.name()).append(" ok\n");
      } else {
        // the endpoint is public: the reason goes to the log only
        lines.append("[-]").append(named.name()).append(" failed: reason withheld\n");
        failures.append(' ').append(named.name()).append(": ").append(failure).append(';');
      }
    }
    if (!excluded.isEmpty()) {
      lines
          .append("warn: some health checks cannot be excluded: no matches for ")
          .append(String.join(",", excluded.stream().sorted().map(n -> "\"" + n + "\"").toList()))
          .append('\n');
    }
    if (!failures.isEmpty()) {
      log.info("event=health_check_failed endpoint={} failures={}", endpoint.path, failures);
      lines.append(endpoint.path).append(" check failed\n");
      return text(500, lines.toString());
    }
    if (request.query().containsKey("verbose")) {
      lines.append(endpoint.path).append(" check passed\n");
      return text(200, lines.toString());
    }
    return text(200, "ok");
  }

  private ApiResponse single(HealthChecks.Endpoint endpoint, String name) {
    for (HealthChecks.Named named : checks.of(endpoint)) {
      if (named.name().equals(name)) {
        String failure = run(named.check());
        return failure == null
            ? text(200, "ok")
            : text(500, "internal server error: " + failure + "\n");
      }
    }
    return text(404, "404 page not found\n");
  }

  /** Null when the check passes, else its reason. */
  private static String run(HealthCheck check) {
    try {
      check.check();
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (Exception e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  private static ApiResponse text(int status, String body) {
    return new ApiResponse.Full(status, TEXT, body.getBytes(StandardCharsets.UTF_8), NOSNIFF);
  }
}
