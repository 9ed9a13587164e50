package dev.skiff.apiserver.server;

import dev.skiff.api.Json;
import dev.skiff.apiserver.audit.AuditEvent;
import dev.skiff.apiserver.audit.AuditLog;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.rest.RequestInfo;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * What the access log line of one request says, and its audit event when the server keeps an audit
 * log. Created by {@link AccessLogHandler} when the request head arrives; later handlers fill in
 * the request, the user and annotations; written once when the response ends.
 */
final class RequestLog {
  static final Logger ACCESS = LoggerFactory.getLogger("skiff.access");
  static final AttributeKey<RequestLog> KEY = AttributeKey.valueOf(RequestLog.class, "current");

  private final String method;
  private final String path;
  private final String uri;
  private final String protocol;
  private final long startNanos;
  private final Instant received;
  private final AuditLog audit;
  private volatile String user = "-";
  private volatile int code;
  private volatile Audited audited;
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private boolean written;

  /** The parts of the audit event known once the request is authenticated. */
  private record Audited(
      ServerRequest request, UserInfo user, UserInfo impersonator, List<String> sourceIps) {}

  RequestLog(String method, String uri, String protocol, long startNanos, AuditLog audit) {
    this.method = method;
    this.uri = uri;
    int query = uri.indexOf('?');
    this.path = query < 0 ? uri : uri.substring(0, query);
    this.protocol = protocol;
    this.startNanos = startNanos;
    this.received = audit == null ? null : audit.now();
    this.audit = audit;
  }

  /** The log of the request in flight on {@code channel}, or null. */
  static RequestLog of(Channel channel) {
    return channel.attr(KEY).get();
  }

  /** Whether this request's audit event is wanted (the server keeps an audit log). */
  boolean audited() {
    return audit != null;
  }

  void user(String name) {
    this.user = name;
  }

  /**
   * The authenticated request for the audit event: {@code user} is who it acts as; {@code
   * impersonator}, when not null, the authenticated caller who impersonates {@code user}.
   */
  void request(
      ServerRequest request, UserInfo user, UserInfo impersonator, List<String> sourceIps) {
    this.audited = new Audited(request, user, impersonator, List.copyOf(sourceIps));
  }

  void annotate(String key, String value) {
    synchronized (annotations) {
      annotations.putIfAbsent(key, value);
    }
  }

  void annotate(Map<String, String> more) {
    synchronized (annotations) {
      more.forEach(annotations::putIfAbsent);
    }
  }

  void code(int status) {
    this.code = status;
  }

  int code() {
    return code;
  }

  /** Writes the line (and the audit event), once. Called on the channel's event loop. */
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
    Audited request = audited;
    if (audit != null && request != null) {
      Instant completed = audit.now();
      int status = code;
      Map<String, String> notes;
      synchronized (annotations) {
        notes = Map.copyOf(annotations);
      }
      audit.write(() -> event(request, status, completed, notes));
    }
  }

  /** Built on the audit log's writer thread. */
  private AuditEvent event(
      Audited audited, int status, Instant completed, Map<String, String> notes) {
    ApiRequest api = audited.request().api();
    RequestInfo info = RequestInfo.parse(api).orElse(null);
    AuditEvent.ObjectRef ref =
        info == null
            ? null
            : new AuditEvent.ObjectRef(
                info.resource(),
                info.namespace(),
                info.name().isEmpty() && info.verb().equals("create")
                    ? createdName(api)
                    : info.name(),
                info.group(),
                info.version(),
                info.subresource());
    return new AuditEvent(
        audited.request().auditId(),
        uri,
        info == null ? method.toLowerCase(Locale.ROOT) : info.verb(),
        audited.impersonator() != null ? audited.impersonator() : audited.user(),
        audited.impersonator() != null ? audited.user() : null,
        audited.sourceIps(),
        api.header("user-agent"),
        ref,
        status,
        received,
        completed,
        notes);
  }

  /**
   * The name a create names in its JSON body, as Kubernetes completes the event's objectRef from
   * the request object; "" when it has none (generateName) or the body is not JSON.
   */
  private static String createdName(ApiRequest api) {
    String type = api.header("content-type");
    if (api.body().length == 0 || (type != null && !type.contains("json"))) {
      return "";
    }
    try {
      return Json.MAPPER.readTree(api.body()).path("metadata").path("name").asString("");
    } catch (JacksonException e) {
      return "";
    }
  }
}
