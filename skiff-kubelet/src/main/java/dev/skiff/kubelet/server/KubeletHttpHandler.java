package dev.skiff.kubelet.server;

import dev.skiff.api.Json;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.AttachRequest;
import dev.skiff.kubelet.cri.v1.Container;
import dev.skiff.kubelet.cri.v1.ContainerState;
import dev.skiff.kubelet.cri.v1.ContainerStatus;
import dev.skiff.kubelet.cri.v1.ExecRequest;
import dev.skiff.kubelet.cri.v1.PodSandbox;
import dev.skiff.kubelet.cri.v1.PortForwardRequest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.grpc.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the kubelet API: authenticates (client certificate, else bearer token),
 * authorizes ({@code nodes/<subresource>} as the kubelet maps paths), and serves the kubelet's
 * endpoints. Requests are handled one at a time on virtual threads; streaming requests end by
 * turning the connection into a relay to the runtime's streaming server.
 */
final class KubeletHttpHandler extends ChannelInboundHandlerAdapter {
  static final String APISERVER_CLIENT_USER = "kube-apiserver-kubelet-client";
  static final String MASTERS_GROUP = "system:masters";

  private static final Logger LOG = LoggerFactory.getLogger(KubeletHttpHandler.class);
  private static final Duration LOG_POLL = Duration.ofMillis(200);

  /** What every connection shares. */
  record Context(
      String nodeName,
      KubeletAuthenticator authenticator,
      KubeletAuthorizer authorizer,
      CriClient cri,
      Supplier<List<Pod>> pods,
      NodeStats stats,
      ExecutorService workers,
      InstantSource clock) {}

  private final Context context;
  private final CriContainers containers;

  KubeletHttpHandler(Context context) {
    this.context = context;
    this.containers = context.cri() == null ? null : new CriContainers(context.cri());
  }

  /** Thrown to answer with a plain-text error. */
  static final class HttpError extends RuntimeException {
    final HttpResponseStatus status;

    HttpError(HttpResponseStatus status, String message) {
      super(message);
      this.status = status;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpRequest request)) {
      // request bodies are not used by any kubelet endpoint served here
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpContent) {
      ReferenceCountUtil.release(msg);
    }
    if (!request.decoderResult().isSuccess()) {
      sendText(ctx, request, HttpResponseStatus.BAD_REQUEST, "bad request");
      return;
    }
    // one request at a time: reading resumes once this one is answered
    ctx.channel().config().setAutoRead(false);
    context.workers().execute(() -> handle(ctx, request));
  }

  private void handle(ChannelHandlerContext ctx, HttpRequest request) {
    boolean resume = true;
    try {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      String path = uri.path();
      Optional<KubeletUser> user = authenticate(ctx, request);
      if (user.isEmpty()) {
        sendText(ctx, request, HttpResponseStatus.UNAUTHORIZED, "Unauthorized");
        return;
      }
      String verb = verb(request.method());
      String subresource = subresource(path);
      String attributes =
          "(user="
              + user.get().name()
              + ", verb="
              + verb
              + ", resource=nodes, subresource(s)=["
              + subresource
              + "])";
      boolean allowed;
      try {
        allowed = authorized(user.get(), verb, subresource);
      } catch (RuntimeException e) {
        // the API server could not be asked: not a denial, an error (as the kubelet answers)
        LOG.warn("authorization failed user={} error={}", user.get().name(), e.toString());
        sendText(
            ctx,
            request,
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            "Authorization error " + attributes);
        return;
      }
      if (!allowed) {
        sendText(ctx, request, HttpResponseStatus.FORBIDDEN, "Forbidden " + attributes);
        return;
      }
      resume = route(ctx, request, uri);
    } catch (HttpError e) {
      sendText(ctx, request, e.status, e.getMessage());
    } catch (ContainerLogOptions.InvalidLogOptions e) {
      sendText(
          ctx,
          request,
          HttpResponseStatus.UNPROCESSABLE_ENTITY,
          "invalid request: " + e.getMessage());
    } catch (StatusRuntimeException e) {
      LOG.warn("runtime call failed uri={} error={}", request.uri(), e.getStatus());
      sendText(
          ctx,
          request,
          runtimeStatus(e),
          e.getStatus().getDescription() == null
              ? e.getStatus().getCode().toString()
              : e.getStatus().getDescription());
    } catch (RuntimeException e) {
      LOG.warn("kubelet API request failed uri={} error={}", request.uri(), e.toString());
      sendText(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
    } finally {
      if (resume && ctx.channel().isActive()) {
        ctx.channel().config().setAutoRead(true);
      }
    }
  }

  // ---- authentication and authorization

  private Optional<KubeletUser> authenticate(ChannelHandlerContext ctx, HttpRequest request) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl != null) {
      try {
        Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
        if (peer.length > 0 && peer[0] instanceof X509Certificate certificate) {
          return Optional.of(userOf(certificate));
        }
      } catch (SSLPeerUnverifiedException e) {
        // no client certificate: try a token
      }
    }
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorization.substring(7).trim();
      if (!token.isEmpty() && context.authenticator() != null) {
        try {
          return context.authenticator().authenticateToken(token);
        } catch (RuntimeException e) {
          LOG.warn("token review failed error={}", e.toString());
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** CN is the user, each O a group: the API server's x509 authenticator's reading. */
  static KubeletUser userOf(X509Certificate certificate) {
    String name = "";
    List<String> groups = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          name = rdn.getValue().toString();
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          groups.add(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      throw new IllegalStateException("unreadable certificate subject", e);
    }
    // LdapName lists RDNs last-to-first; keep the subject's order
    java.util.Collections.reverse(groups);
    return new KubeletUser(name, groups);
  }

  private boolean authorized(KubeletUser user, String verb, String subresource) {
    if (user.name().equals(APISERVER_CLIENT_USER) || user.groups().contains(MASTERS_GROUP)) {
      return true;
    }
    return context.authorizer() != null && context.authorizer().allowed(user, verb, subresource);
  }

  /** The kubelet's verb for an HTTP method; other methods get no verb (and are denied). */
  static String verb(HttpMethod method) {
    return switch (method.name()) {
      case "GET", "HEAD" -> "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> "";
    };
  }

  /** The kubelet's authorizer mapping of a path to a subresource of nodes. */
  static String subresource(String path) {
    if (isSubpath(path, "/stats")) {
      return "stats";
    }
    if (isSubpath(path, "/metrics")) {
      return "metrics";
    }
    if (isSubpath(path, "/logs")) {
      return "log";
    }
    if (isSubpath(path, "/checkpoint")) {
      return "checkpoint";
    }
    return "proxy";
  }

  private static boolean isSubpath(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  // ---- routing

  /** Serves one request; false when the connection was handed to a relay. */
  private boolean route(ChannelHandlerContext ctx, HttpRequest request, QueryStringDecoder uri)
      throws HttpError {
    String path = uri.path();
    List<String> parts = Stream.of(path.split("/")).filter(s -> !s.isEmpty()).toList();
    HttpMethod method = request.method();
    boolean get = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    String first = parts.isEmpty() ? "" : parts.get(0);
    switch (first) {
      case "healthz" -> {
        requireGet(get, parts.size() == 1);
        sendText(ctx, request, HttpResponseStatus.OK, "ok");
      }
      case "pods" -> {
        requireGet(get, parts.size() == 1);
        PodList list =
            new PodListBuilder()
                .withNewMetadata()
                .endMetadata()
                .withItems(context.pods().get())
                .build();
        sendJson(ctx, request, Json.MAPPER.writeValueAsBytes(list));
      }
      case "containerLogs" -> {
        requireGet(get, parts.size() == 4);
        containerLogs(ctx, request, uri, parts.get(1), parts.get(2), parts.get(3));
      }
      case "exec", "attach" -> {
        requireStreaming(method);
        // /exec/{ns}/{pod}/{container} or /exec/{ns}/{pod}/{uid}/{container}
        if (parts.size() != 4 && parts.size() != 5) {
          throw notFound();
        }
        return execOrAttach(
            ctx,
            request,
            uri,
            first.equals("exec") ? StreamingRelay.Kind.EXEC : StreamingRelay.Kind.ATTACH,
            parts.get(1),
            parts.get(2),
            parts.get(parts.size() - 1));
      }
      case "portForward" -> {
        requireStreaming(method);
        if (parts.size() != 3 && parts.size() != 4) {
          throw notFound();
        }
        return portForward(ctx, request, uri, parts.get(1), parts.get(2));
      }
      case "stats" -> {
        requireGet(get, parts.size() == 2 && parts.get(1).equals("summary"));
        sendJson(ctx, request, Json.MAPPER.writeValueAsBytes(context.stats().summary()));
      }
      case "metrics" -> {
        requireGet(get, parts.size() == 2 && parts.get(1).equals("resource"));
        byte[] body = context.stats().resourceMetrics().getBytes(StandardCharsets.UTF_8);
        send(ctx, request, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", body);
      }
      default -> throw notFound();
    }
    return true;
  }

  private static void requireGet(boolean get, boolean pathMatches) {
    if (!pathMatches) {
      throw notFound();
    }
    if (!get) {
      throw new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED, "405: Method Not Allowed");
    }
  }

  private static void requireStreaming(HttpMethod method) {
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.POST)) {
      throw new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED, "405: Method Not Allowed");
    }
  }

  private static HttpError notFound() {
    return new HttpError(HttpResponseStatus.NOT_FOUND, "404 page not found");
  }

  private Pod pod(String namespace, String name) {
    return context.pods().get().stream()
        .filter(
            p ->
                p.getMetadata() != null
                    && namespace.equals(p.getMetadata().getNamespace())
                    && name.equals(p.getMetadata().getName()))
        .findFirst()
        .orElse(null);
  }

  private static boolean hasContainer(Pod pod, String container) {
    if (pod.getSpec() == null) {
      return false;
    }
    return Stream.of(
            pod.getSpec().getContainers(),
            pod.getSpec().getInitContainers(),
            pod.getSpec().getEphemeralContainers())
        .filter(l -> l != null)
        .flatMap(List::stream)
        .anyMatch(
            c ->
                c instanceof io.fabric8.kubernetes.api.model.Container k
                    ? container.equals(k.getName())
                    : c instanceof io.fabric8.kubernetes.api.model.EphemeralContainer e
                        && container.equals(e.getName()));
  }

  // ---- logs

  private void containerLogs(
      ChannelHandlerContext ctx,
      HttpRequest request,
      QueryStringDecoder uri,
      String namespace,
      String podName,
      String containerName) {
    ContainerLogOptions options = ContainerLogOptions.fromQuery(uri.parameters(), context.clock());
    Pod pod = pod(namespace, podName);
    if (pod == null) {
      throw new HttpError(HttpResponseStatus.NOT_FOUND, "pod \"" + podName + "\" does not exist");
    }
    if (!hasContainer(pod, containerName)) {
      throw new HttpError(
          HttpResponseStatus.NOT_FOUND,
          "container \"" + containerName + "\" not found in pod \"" + podName + "\"");
    }
    List<Container> attempts = containers.attempts(namespace, podName, containerName);
    int index = options.previous() ? 1 : 0;
    if (attempts.size() <= index) {
      if (options.previous()) {
        throw new HttpError(
            HttpResponseStatus.BAD_REQUEST,
            "previous terminated container \""
                + containerName
                + "\" in pod \""
                + podName
                + "\" not found");
      }
      throw new HttpError(
          HttpResponseStatus.BAD_REQUEST,
          "container \""
              + containerName
              + "\" in pod \""
              + podName
              + "\" is waiting to start: "
              + waitingReason(pod, containerName));
    }
    Container container = attempts.get(index);
    ContainerStatus status =
        containers
            .status(container.getId())
            .orElseThrow(
                () ->
                    new HttpError(
                        HttpResponseStatus.BAD_REQUEST,
                        "container \""
                            + containerName
                            + "\" in pod \""
                            + podName
                            + "\" is not available"));
    if (status.getLogPath().isEmpty()) {
      throw new HttpError(
          HttpResponseStatus.BAD_REQUEST,
          "container \"" + containerName + "\" in pod \"" + podName + "\" has no log file");
    }
    Path logPath = Path.of(status.getLogPath());
    String containerId = container.getId();
    Channel channel = ctx.channel();
    BooleanSupplier running =
        runningCheck(channel, containerId, status.getState() == ContainerState.CONTAINER_RUNNING);

    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    HttpUtil.setTransferEncodingChunked(head, true);
    keepAlive(request, head);
    ctx.writeAndFlush(head);
    boolean completed = false;
    try {
      new ContainerLogReader(LOG_POLL)
          .read(
              logPath,
              ContainerLogManager.rotatedFiles(logPath),
              options,
              running,
              (bytes, offset, length) -> writeChunk(channel, bytes, offset, length));
      completed = true;
    } catch (IOException e) {
      LOG.debug("log stream ended uri={} error={}", request.uri(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (completed) {
        ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!HttpUtil.isKeepAlive(request)) {
          last.addListener(ChannelFutureListener.CLOSE);
        }
      } else {
        channel.close();
      }
    }
  }

  private static String waitingReason(Pod pod, String containerName) {
    if (pod.getStatus() != null) {
      for (var statuses :
          Stream.of(
                  pod.getStatus().getContainerStatuses(),
                  pod.getStatus().getInitContainerStatuses())
              .filter(l -> l != null)
              .toList()) {
        for (var status : statuses) {
          if (containerName.equals(status.getName())
              && status.getState() != null
              && status.getState().getWaiting() != null
              && status.getState().getWaiting().getReason() != null) {
            return status.getState().getWaiting().getReason();
          }
        }
      }
    }
    return "ContainerCreating";
  }

  /** Whether to keep following: the client is connected and the container runs (checked 1/s). */
  private BooleanSupplier runningCheck(Channel channel, String containerId, boolean initially) {
    return new BooleanSupplier() {
      private boolean running = initially;
      private long checkedAt = System.nanoTime();

      @Override
      public boolean getAsBoolean() {
        if (!channel.isActive()) {
          return false;
        }
        if (running && System.nanoTime() - checkedAt > 1_000_000_000L) {
          running = containers.isRunning(containerId);
          checkedAt = System.nanoTime();
        }
        return running;
      }
    };
  }

  private static void writeChunk(Channel channel, byte[] bytes, int offset, int length)
      throws IOException {
    if (!channel.isActive()) {
      throw new IOException("client went away");
    }
    ChannelFuture written =
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(bytes, offset, length)));
    if (!channel.isWritable()) {
      // back-pressure: wait for this chunk to reach the socket before reading more
      written.awaitUninterruptibly();
    }
    if (written.isDone() && !written.isSuccess()) {
      throw new IOException("write failed", written.cause());
    }
  }

  // ---- exec, attach, port-forward

  private boolean execOrAttach(
      ChannelHandlerContext ctx,
      HttpRequest request,
      QueryStringDecoder uri,
      StreamingRelay.Kind kind,
      String namespace,
      String podName,
      String containerName) {
    Map<String, List<String>> query = uri.parameters();
    boolean stdin = param(query, "input");
    boolean stdout = param(query, "output");
    boolean stderr = param(query, "error");
    boolean tty = param(query, "tty");
    if (tty && stderr) {
      // with a tty stderr is merged into stdout, as the kubelet does
      stderr = false;
    }
    if (!stdin && !stdout && !stderr) {
      throw new HttpError(
          HttpResponseStatus.BAD_REQUEST, "you must specify at least 1 of stdin, stdout, stderr");
    }
    List<String> command = query.getOrDefault("command", List.of());
    if (kind == StreamingRelay.Kind.EXEC && command.isEmpty()) {
      throw new HttpError(
          HttpResponseStatus.BAD_REQUEST,
          "you must specify at least one command for the container");
    }
    checkUpgrade(kind, request);
    Pod pod = pod(namespace, podName);
    if (pod == null) {
      throw new HttpError(HttpResponseStatus.NOT_FOUND, "pod does not exist");
    }
    if (!hasContainer(pod, containerName)) {
      throw new HttpError(
          HttpResponseStatus.BAD_REQUEST,
          "container " + containerName + " is not valid for pod " + podName);
    }
    Optional<Container> running =
        containers.attempts(namespace, podName, containerName).stream()
            .filter(c -> c.getState() == ContainerState.CONTAINER_RUNNING)
            .findFirst();
    if (running.isEmpty()) {
      throw new HttpError(
          HttpResponseStatus.BAD_REQUEST,
          "container " + containerName + " in pod " + podName + " is not running");
    }
    String url =
        kind == StreamingRelay.Kind.EXEC
            ? context
                .cri()
                .runtime()
                .exec(
                    ExecRequest.newBuilder()
                        .setContainerId(running.get().getId())
                        .addAllCmd(command)
                        .setTty(tty)
                        .setStdin(stdin)
                        .setStdout(stdout)
                        .setStderr(stderr)
                        .build())
                .getUrl()
            : context
                .cri()
                .runtime()
                .attach(
                    AttachRequest.newBuilder()
                        .setContainerId(running.get().getId())
                        .setTty(tty)
                        .setStdin(stdin)
                        .setStdout(stdout)
                        .setStderr(stderr)
                        .build())
                .getUrl();
    relay(ctx, request, url);
    return false;
  }

  private boolean portForward(
      ChannelHandlerContext ctx,
      HttpRequest request,
      QueryStringDecoder uri,
      String namespace,
      String podName) {
    List<Integer> ports = new ArrayList<>();
    for (String port : uri.parameters().getOrDefault("port", List.of())) {
      for (String one : port.split(",")) {
        try {
          int value = Integer.parseInt(one.trim());
          if (value < 1 || value > 65535) {
            throw new NumberFormatException();
          }
          ports.add(value);
        } catch (NumberFormatException e) {
          throw new HttpError(
              HttpResponseStatus.BAD_REQUEST, "unable to parse \"" + one + "\" as a port");
        }
      }
    }
    checkUpgrade(StreamingRelay.Kind.PORT_FORWARD, request);
    if (StreamingRelay.isWebSocket(request) && ports.isEmpty()) {
      throw new HttpError(HttpResponseStatus.BAD_REQUEST, "query parameter \"port\" is required");
    }
    Pod pod = pod(namespace, podName);
    if (pod == null) {
      throw new HttpError(HttpResponseStatus.NOT_FOUND, "pod does not exist");
    }
    PodSandbox sandbox =
        containers
            .readySandbox(namespace, podName)
            .orElseThrow(
                () ->
                    new HttpError(
                        HttpResponseStatus.BAD_REQUEST,
                        "pod " + podName + " has no running sandbox"));
    String url =
        context
            .cri()
            .runtime()
            .portForward(
                PortForwardRequest.newBuilder()
                    .setPodSandboxId(sandbox.getId())
                    .addAllPort(ports)
                    .build())
            .getUrl();
    relay(ctx, request, url);
    return false;
  }

  private static void checkUpgrade(StreamingRelay.Kind kind, HttpRequest request) {
    if (!StreamingRelay.isUpgrade(request)) {
      throw new HttpError(HttpResponseStatus.BAD_REQUEST, "Upgrade request required");
    }
    if (StreamingRelay.isWebSocket(request)) {
      String unsupported = StreamingRelay.unsupportedWebSocket(kind, request);
      if (unsupported != null) {
        throw new HttpError(HttpResponseStatus.BAD_REQUEST, unsupported);
      }
    }
  }

  /** Kubernetes reads these flags as "1" (or "true") for on. */
  private static boolean param(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return false;
    }
    String value = values.get(0);
    return value.equals("1") || value.equalsIgnoreCase("true");
  }

  private void relay(ChannelHandlerContext ctx, HttpRequest request, String url) {
    URI target = URI.create(url);
    Channel client = ctx.channel();
    client
        .eventLoop()
        .execute(
            () ->
                StreamingRelay.relay(
                    client,
                    request,
                    target,
                    relayHandler -> {
                      ctx.pipeline().replace(this, "relay", relayHandler);
                      ctx.pipeline().remove(KubeletServer.HTTP_CODEC);
                    },
                    failure -> {
                      LOG.warn(
                          "cannot reach the streaming server url={} error={}",
                          target,
                          failure.toString());
                      sendText(
                          ctx,
                          request,
                          HttpResponseStatus.INTERNAL_SERVER_ERROR,
                          "cannot reach the container runtime's streaming server");
                      client.config().setAutoRead(true);
                    }));
  }

  private static HttpResponseStatus runtimeStatus(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
      case INVALID_ARGUMENT, FAILED_PRECONDITION -> HttpResponseStatus.BAD_REQUEST;
      case UNAVAILABLE, DEADLINE_EXCEEDED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
      default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
    };
  }

  // ---- responses

  private static void sendText(
      ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
    send(
        ctx,
        request,
        status,
        "text/plain; charset=utf-8",
        (text + (status.code() >= 400 && !text.endsWith("\n") ? "\n" : ""))
            .getBytes(StandardCharsets.UTF_8));
  }

  private static void sendJson(ChannelHandlerContext ctx, HttpRequest request, byte[] body) {
    send(ctx, request, HttpResponseStatus.OK, "application/json", body);
  }

  private static void send(
      ChannelHandlerContext ctx,
      HttpRequest request,
      HttpResponseStatus status,
      String contentType,
      byte[] body) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    boolean keepAlive = keepAlive(request, response);
    ChannelFuture written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static boolean keepAlive(HttpRequest request, HttpResponse response) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return keepAlive;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug(
        "kubelet API connection error remote={} error={}",
        ctx.channel().remoteAddress(),
        cause.toString());
    ctx.close();
  }
}
