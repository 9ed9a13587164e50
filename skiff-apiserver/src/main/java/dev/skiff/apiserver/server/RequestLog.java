package dev.skiff.apiserver.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the access log line of one request says. Created by {@link AccessLogHandler} when the
 * request head arrives; later handlers fill in the user; written once when the response ends.
 */
final class RequestLog {
  static final Logger ACCESS = LoggerFactory.getLogger("skiff.access");
  static final AttributeKey<RequestLog> KEY = AttributeKey.valueOf(RequestLog.class, "current");

  private final String method;
  private final String path;
  private final String protocol;
  private final long startNanos;
  private volatile String user = "-";
  private volatile int code;
  private boolean written;

  RequestLog(String method, String path, String protocol, long startNanos) {
    this.method = method;
    this.path = path;
    this.protocol = protocol;
    this.startNanos = startNanos;
  }

  /** The log of the request in flight on {@code channel}, or null. */
  static RequestLog of(Channel channel) {
    return channel.attr(KEY).get();
  }

  void user(String name) {
    this.user = name;
  }

  void code(int status) {
    this.code = status;
  }

  int code() {
    return code;
  }

  /** Writes the line, once. Called on the channel's event loop. */
  void write() {
    if (written) {
      return;
    }
    written = true;
    if (ACCESS.isInfoEnabled()) {
      long micros = (System.nanoTime() - startNanos) / 1000;
      ACCESS.info(
          "verb={} path={} user={} code={} latency={}.{}ms proto={}",
          method,
          path,
          user,
          code,
          micros / 1000,
          (micros % 1000) / 100,
          protocol);
    }
  }
}
