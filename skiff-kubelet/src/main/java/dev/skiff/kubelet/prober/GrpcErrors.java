package dev.skiff.kubelet.prober;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** gRPC errors worded as Go's grpc-go prints them: {@code rpc error: code = X desc = Y}. */
final class GrpcErrors {
  private GrpcErrors() {}

  static String format(StatusRuntimeException e) {
    Status s = e.getStatus();
    String desc = s.getDescription() == null ? "" : s.getDescription();
    if (s.getCause() != null && desc.isEmpty()) {
      desc = String.valueOf(s.getCause().getMessage());
    }
    return "rpc error: code = " + codeName(s.getCode()) + " desc = " + desc;
  }

  /** grpc-go's name of a code: {@code DeadlineExceeded}, {@code Canceled} ... */
  static String codeName(Status.Code code) {
    if (code == Status.Code.CANCELLED) {
      return "Canceled";
    }
    StringBuilder b = new StringBuilder();
    for (String part : code.name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return b.toString();
  }
}
