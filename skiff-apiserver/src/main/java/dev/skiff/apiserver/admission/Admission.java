package dev.skiff.apiserver.admission;

import dev.skiff.api.ResourceType;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where the registry's write path meets admission. The transport runs each request on its own
 * thread; {@link #scope} binds the request's user and the server's chain to that thread for the
 * duration of the request, and the generic registry calls {@link #admit} after defaulting and
 * before validation and storage. Writes made outside a request scope (the API server's own loopback
 * writes, registry unit tests) are not subject to admission.
 */
public final class Admission {
  private record Context(AdmissionChain chain, ApiRequest request, List<String> warnings) {}

  private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

  private Admission() {}

  /** An API handler that runs {@code delegate} with {@code chain} bound for each request. */
  public static ApiHandler scope(ApiHandler delegate, AdmissionChain chain) {
    return request -> {
      Context previous = CURRENT.get();
      Context context = new Context(chain, request, new CopyOnWriteArrayList<>());
      CURRENT.set(context);
      try {
        return withWarnings(delegate.handle(request), context.warnings());
      } finally {
        restore(previous);
      }
    };
  }

  /** Runs {@code work} outside admission (the API server's own writes). */
  public static <T> T without(Supplier<T> work) {
    Context previous = CURRENT.get();
    CURRENT.remove();
    try {
      return work.get();
    } finally {
      restore(previous);
    }
  }

  /**
   * Adds a warning to the current request's response (a {@code Warning: 299} header, as Kubernetes
   * sends admission warnings); ignored outside a request scope.
   */
  public static void warn(String warning) {
    Context context = CURRENT.get();
    if (context != null) {
      context.warnings().add(warning);
    }
  }

  /** The request being admitted on this thread, if any (webhooks need its URL's version). */
  public static Optional<ApiRequest> currentRequest() {
    Context context = CURRENT.get();
    return context == null ? Optional.empty() : Optional.of(context.request());
  }

  private static ApiResponse withWarnings(ApiResponse response, List<String> warnings) {
    if (warnings.isEmpty() || !(response instanceof ApiResponse.Full full)) {
      return response;
    }
    Map<String, List<String>> headers = new HashMap<>(full.headers());
    List<String> values = new ArrayList<>(headers.getOrDefault("Warning", List.of()));
    for (String warning : warnings) {
      values.add("299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    headers.put("Warning", values);
    return new ApiResponse.Full(full.status(), full.contentType(), full.body(), headers);
  }

  private static void restore(Context previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  /**
   * The registry's first hook on a write: the bound chain's mutating phase, before the registry
   * validates the object. Returns the request to hand to {@link #validate} afterwards (null when no
   * chain is bound).
   */
  public static AdmissionRequest mutate(
      AdmissionRequest.Operation operation,
      ResourceType type,
      String subresource,
      String namespace,
      String name,
      ObjectNode object,
      ObjectNode old,
      boolean dryRun) {
    Context context = CURRENT.get();
    if (context == null) {
      return null;
    }
    AdmissionRequest request =
        new AdmissionRequest(
            operation,
            type,
            subresource == null ? "" : subresource,
            namespace,
            name,
            object,
            old,
            context.request().user(),
            dryRun);
    context.chain().mutate(request);
    return request;
  }

  /** The registry's second hook: the validating phase on the request {@link #mutate} returned. */
  public static void validate(AdmissionRequest request) {
    Context context = CURRENT.get();
    if (context != null && request != null) {
      context.chain().validate(request);
    }
  }
}
