package dev.skiff.kubelet.pod;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;

/** CRI errors in the words Kubernetes prints them: {@code rpc error: code = X desc = Y}. */
final class CriErrors {
  private CriErrors() {}

  static String describe(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      Status status = s.getStatus();
      return "rpc error: code = "
          + goCodeName(status.getCode())
          + " desc = "
          + (status.getDescription() == null ? "" : status.getDescription());
    }
    return String.valueOf(e.getMessage());
  }

  static boolean isNotFound(RuntimeException e) {
    return e instanceof StatusRuntimeException s
        && s.getStatus().getCode() == Status.Code.NOT_FOUND;
  }

  /** {@code DEADLINE_EXCEEDED} → {@code DeadlineExceeded}, as grpc-go names its codes. */
  private static String goCodeName(Status.Code code) {
    StringBuilder out = new StringBuilder();
    for (String part : code.name().split("_")) {
      out.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }
}
