package dev.skiff.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.StreamSink;
import dev.skiff.apiserver.http.UserInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** The HTTP/1.1 pipeline, handler by handler, on an EmbeddedChannel (no TLS, no sockets). */
class Http1PipelineTest {
  private static final int BODY_LIMIT = 1024;

  /** Requests carrying "x-test-user: NAME" are that user; others carry no credentials. */
  private static final Authenticator HEADER_AUTHENTICATOR =
      (request, tls) ->
          Optional.ofNullable(request.header("x-test-user"))
              .map(name -> new UserInfo(name, "", List.of("testers"), Map.of()));

  private final List<ApiRequest> handled = new ArrayList<>();
  private final HealthChecks checks = new HealthChecks();
  private ApiHandler handler =
      request -> {
        handled.add(request);
        return new ApiResponse.Full(
            200, "application/json", "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
      };
  private Executor executor = Runnable::run;
  private EmbeddedChannel channel;

  @AfterEach
  void closeChannel() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private EmbeddedChannel channel() {
    ApiServerOptions options =
        new ApiServerOptions("127.0.0.1", 0).withMaxRequestBodyBytes(BODY_LIMIT);
    ApiServerInitializer initializer =
        new ApiServerInitializer(
            null,
            null,
            options,
            new NonResourceHandler(
                request -> handler.handle(request), checks, options.version(), "test-ca\n"),
            HEADER_AUTHENTICATOR,
            Authorizer.allowAll(),
            request -> executor.execute(request));
    channel = new EmbeddedChannel();
    initializer.configureHttp1(channel.pipeline());
    return channel;
  }

  private void send(String raw) {
    channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    channel.runPendingTasks();
  }

  /** Everything the server wrote so far, as text. */
  private String output() {
    channel.runPendingTasks();
    StringBuilder text = new StringBuilder();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) msg;
      text.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return text.toString();
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  private static JsonNode json(String response) {
    return Json.MAPPER.readTree(body(response));
  }

  @Test
  void healthzAnswersOkToAnonymousCallers() {
    channel();

    send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(response).containsIgnoringCase("content-type: text/plain; charset=utf-8");
    assertThat(response).containsIgnoringCase("audit-id: ");
    assertThat(response).containsIgnoringCase("cache-control: no-cache, private");
    assertThat(body(response)).isEqualTo("ok");
    assertThat(handled).isEmpty();
  }

  @Test
  void verboseHealthListsEveryCheck() {
    checks.addLivenessCheck("etcd", () -> {});
    checks.addReadinessCheck("informer-sync", () -> {});
    channel();

    send("GET /readyz?verbose HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(body(output()))
        .isEqualTo("[+]ping ok\n[+]etcd ok\n[+]informer-sync ok\nreadyz check passed\n");

    send("GET /livez?verbose&exclude=etcd HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(body(output())).isEqualTo("[+]ping ok\n[+]etcd excluded: ok\nlivez check passed\n");
  }

  @Test
  void failingCheckIs500WithReasonWithheld() {
    checks.addLivenessCheck(
        "etcd",
        () -> {
          throw new IllegalStateException("connection refused to 10.0.0.1");
        });
    channel();

    send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    String all = output();
    assertThat(all).startsWith("HTTP/1.1 500 Internal Server Error");
    assertThat(body(all))
        .isEqualTo("[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n")
        .doesNotContain("10.0.0.1");

    send("GET /healthz/ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(body(output())).isEqualTo("ok");

    send("GET /healthz/etcd HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(output()).startsWith("HTTP/1.1 500 ");

    send("GET /healthz/unknown HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(output()).startsWith("HTTP/1.1 404 ");
  }

  @Test
  void versionIsPublic() {
    channel();

    send("GET /version HTTP/1.1\r\nHost: x\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("application/json");
    JsonNode version = json(response);
    assertThat(version.get("major").asString()).isEqualTo("1");
    assertThat(version.get("minor").asString()).isEqualTo("32");
    assertThat(version.get("gitVersion").asString()).isEqualTo("v1.32.0-skiff.1");
    assertThat(version.get("platform").asString()).contains("/");
    assertThat(version.has("buildDate")).isTrue();
  }

  @Test
  void requestWithoutCredentialsIsUnauthorized() {
    channel();

    send("GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 401 Unauthorized");
    JsonNode status = json(response);
    assertThat(status.get("kind").asString()).isEqualTo("Status");
    assertThat(status.get("reason").asString()).isEqualTo("Unauthorized");
    assertThat(status.get("code").asInt()).isEqualTo(401);
    assertThat(handled).isEmpty();
  }

  @Test
  void publicPathsMatchWholeSegments() {
    channel();

    send("GET /healthzz HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(output()).startsWith("HTTP/1.1 401 ");
    send("GET /version/ HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(output()).startsWith("HTTP/1.1 200 ");
    send("GET /livez/ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(output()).startsWith("HTTP/1.1 200 ");
  }

  @Test
  void authenticatedRequestReachesHandlerDecoded() {
    channel();

    send(
        "POST /api/v1/namespaces/a%20b/pods?labelSelector=app%3Dweb&x=1&x=2 HTTP/1.1\r\n"
            + "Host: x\r\nX-Test-User: alice\r\nContent-Type: application/json\r\n"
            + "Content-Length: 7\r\n\r\n{\"a\":1}");

    assertThat(output()).startsWith("HTTP/1.1 200 OK");
    ApiRequest request = handled.getFirst();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/api/v1/namespaces/a b/pods");
    assertThat(request.param("labelSelector")).isEqualTo("app=web");
    assertThat(request.query().get("x")).containsExactly("1", "2");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(request.user().name()).isEqualTo("alice");
    assertThat(request.user().groups()).containsExactly("testers");
    assertThat(request.websocket()).isFalse();
  }

  @Test
  void bodyOverTheLimitIs413Status() {
    channel();

    send(
        "POST /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\nContent-Length: "
            + (BODY_LIMIT + 1)
            + "\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 413 Request Entity Too Large");
    JsonNode status = json(response);
    assertThat(status.get("reason").asString()).isEqualTo("RequestEntityTooLarge");
    assertThat(status.get("message").asString())
        .isEqualTo("Request entity too large: limit is " + BODY_LIMIT);
    assertThat(status.get("code").asInt()).isEqualTo(413);
    assertThat(handled).isEmpty();
  }

  @Test
  void chunkedBodyGrowingOverTheLimitIs413AndCloses() {
    channel();
    String chunk = "x".repeat(600);

    send(
        "POST /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(chunk.length())
            + "\r\n"
            + chunk
            + "\r\n"
            + Integer.toHexString(chunk.length())
            + "\r\n"
            + chunk
            + "\r\n0\r\n\r\n");

    assertThat(output()).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
    assertThat(channel.isOpen()).isFalse();
    assertThat(handled).isEmpty();
  }

  @Test
  void expectContinueIsHonoured() {
    channel();

    send(
        "PUT /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\nExpect: 100-continue\r\n"
            + "Content-Length: 2\r\n\r\n");
    assertThat(output()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
    send("{}");
    assertThat(output()).startsWith("HTTP/1.1 200 OK");
    assertThat(handled).hasSize(1);

    send(
        "PUT /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\nExpect: 100-continue\r\n"
            + "Content-Length: 999999\r\n\r\n");
    String refused = output();
    assertThat(refused).startsWith("HTTP/1.1 413 ");
    assertThat(json(refused).get("reason").asString()).isEqualTo("RequestEntityTooLarge");
    assertThat(handled).hasSize(1);
  }

  @Test
  void malformedRequestIs400() {
    channel();

    send("THIS IS NOT HTTP\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 400 Bad Request");
    assertThat(json(response).get("reason").asString()).isEqualTo("BadRequest");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void invalidPercentEncodingIs400() {
    channel();

    send("GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n");

    assertThat(output()).startsWith("HTTP/1.1 400 Bad Request");
    assertThat(handled).isEmpty();
  }

  @Test
  void apiExceptionBecomesItsStatus() {
    handler =
        request -> {
          throw ApiException.notFound("", "pods", "web");
        };
    channel();

    send("GET /api/v1/namespaces/default/pods/web HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 404 Not Found");
    JsonNode status = json(response);
    assertThat(status.get("reason").asString()).isEqualTo("NotFound");
    assertThat(status.get("message").asString()).isEqualTo("pods \"web\" not found");
    assertThat(status.get("details").get("name").asString()).isEqualTo("web");
  }

  @Test
  void tooManyRequestsCarriesRetryAfter() {
    handler =
        request -> {
          throw ApiException.tooManyRequests("too many requests, please try again later", 3);
        };
    channel();

    send("GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 429 ").containsIgnoringCase("retry-after: 3\r\n");
    assertThat(json(response).get("details").get("retryAfterSeconds").asInt()).isEqualTo(3);
  }

  @Test
  void unexpectedExceptionIsGeneric500() {
    handler =
        request -> {
          throw new IllegalStateException("secret internal detail");
        };
    channel();

    send("GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n");

    String response = output();
    assertThat(response).startsWith("HTTP/1.1 500 Internal Server Error");
    JsonNode status = json(response);
    assertThat(status.get("reason").asString()).isEqualTo("InternalError");
    assertThat(status.get("code").asInt()).isEqualTo(500);
    assertThat(body(response)).doesNotContain("secret internal detail", "IllegalStateException");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    ArrayDeque<Runnable> pending = new ArrayDeque<>();
    executor = pending::add;
    handler =
        request ->
            new ApiResponse.Full(
                200, "text/plain", request.path().getBytes(StandardCharsets.UTF_8));
    channel();

    send(
        "GET /first HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n"
            + "GET /second HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n");

    assertThat(pending).hasSize(1);
    assertThat(channel.config().isAutoRead()).isFalse();
    pending.poll().run();
    assertThat(body(output())).isEqualTo("/first");
    assertThat(pending).hasSize(1);
    pending.poll().run();
    assertThat(body(output())).isEqualTo("/second");
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void streamIsSentChunkedAndEnds() {
    AtomicReference<StreamSink> sink = new AtomicReference<>();
    AtomicInteger closed = new AtomicInteger();
    handler =
        request ->
            new ApiResponse.Stream(
                200,
                "application/json",
                Map.of(),
                s -> {
                  s.onClose(closed::incrementAndGet);
                  sink.set(s);
                });
    channel();

    send("GET /api/v1/pods?watch=1 HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n");
    String head = output();
    assertThat(head)
        .startsWith("HTTP/1.1 200 OK")
        .containsIgnoringCase("transfer-encoding: chunked");
    assertThat(sink.get().isWritable()).isTrue();

    sink.get().send("{\"type\":\"ADDED\"}\n".getBytes(StandardCharsets.UTF_8));
    assertThat(output()).isEqualTo("11\r\n{\"type\":\"ADDED\"}\n\r\n");
    sink.get().send("x".getBytes(StandardCharsets.UTF_8));
    assertThat(output()).isEqualTo("1\r\nx\r\n");

    sink.get().close();
    assertThat(output()).isEqualTo("0\r\n\r\n");
    assertThat(sink.get().isClosed()).isTrue();
    assertThat(closed).hasValue(1);
    sink.get().send("late".getBytes(StandardCharsets.UTF_8));
    assertThat(output()).isEmpty();
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void disconnectEndsTheStream() {
    AtomicReference<StreamSink> sink = new AtomicReference<>();
    AtomicInteger closed = new AtomicInteger();
    handler =
        request ->
            new ApiResponse.Stream(
                200,
                "application/json",
                Map.of(),
                s -> {
                  s.onClose(closed::incrementAndGet);
                  sink.set(s);
                });
    channel();
    send("GET /api/v1/pods?watch=1 HTTP/1.1\r\nHost: x\r\nX-Test-User: a\r\n\r\n");
    output();

    channel.close();
    channel.runPendingTasks();

    assertThat(closed).hasValue(1);
    assertThat(sink.get().isClosed()).isTrue();
  }

  @Test
  void oneAccessLogLinePerRequest() {
    Logger access = (Logger) LoggerFactory.getLogger("skiff.access");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    access.addAppender(appender);
    try {
      channel();

      send("GET /api/v1/pods?limit=1 HTTP/1.1\r\nHost: x\r\nX-Test-User: alice\r\n\r\n");
      send("GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n\r\n");
      output();

      assertThat(appender.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .hasSize(2)
          .satisfiesExactly(
              first ->
                  assertThat(first)
                      .matches(
                          "verb=GET path=/api/v1/pods user=alice code=200 latency=\\d+\\.\\dms"
                              + " proto=http/1.1"),
              second ->
                  assertThat(second)
                      .startsWith("verb=GET path=/api/v1/pods user=system:anonymous code=401 "));
    } finally {
      access.detachAppender(appender);
    }
  }
}
