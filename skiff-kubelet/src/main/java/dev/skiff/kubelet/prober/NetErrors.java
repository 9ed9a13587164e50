package dev.skiff.kubelet.prober;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Socket failures worded as Kubernetes' (Go's) probe events word them, e.g. {@code dial tcp
 * 10.0.0.1:80: connect: connection refused}, so that events read the same on Skiff.
 */
final class NetErrors {
  private NetErrors() {}

  /** {@code host:port}, with brackets around an IPv6 literal (Go's JoinHostPort). */
  static String joinHostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@code dial tcp ADDR: ...} for a connect that failed. */
  static String dial(String host, int port, Exception e) {
    if (e instanceof UnknownHostException) {
      return "dial tcp: lookup " + host + ": no such host";
    }
    return "dial tcp " + joinHostPort(host, port) + ": " + tail(e);
  }

  /** The part after the address: {@code connect: connection refused}, {@code i/o timeout} ... */
  static String tail(Exception e) {
    if (e instanceof SocketTimeoutException) {
      return "i/o timeout";
    }
    if (e instanceof NoRouteToHostException) {
      return "connect: no route to host";
    }
    if (e instanceof PortUnreachableException || e instanceof ConnectException) {
      String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
      if (m.contains("refused")) {
        return "connect: connection refused";
      }
      if (m.contains("unreachable")) {
        return "connect: network is unreachable";
      }
      if (m.contains("timed out")) {
        return "i/o timeout";
      }
      return "connect: " + m;
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.toLowerCase(Locale.ROOT);
  }
}
