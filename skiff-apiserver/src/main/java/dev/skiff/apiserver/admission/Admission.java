package dev.skiff.apiserver.admission;

import dev.skiff.api.ResourceType;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.UserInfo;
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
  private record Context(AdmissionChain chain, UserInfo user) {}

  private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

  private Admission() {}

  /** An API handler that runs {@code delegate} with {@code chain} bound for each request. */
  public static ApiHandler scope(ApiHandler delegate, AdmissionChain chain) {
    return request -> {
      Context previous = CURRENT.get();
      CURRENT.set(new Context(chain, request.user()));
      try {
        return delegate.handle(request);
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

  private static void restore(Context previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  /** The registry's hook: runs the bound chain, if any, on one write. */
  public static void admit(
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
      return;
    }
    context
        .chain()
        .admit(
            new AdmissionRequest(
                operation,
                type,
                subresource == null ? "" : subresource,
                namespace,
                name,
                object,
                old,
                context.user(),
                dryRun));
  }
}
