package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSession;

/**
 * Sets the request's user from the {@link Authenticator}; invalid credentials are 401 Unauthorized.
 * When the authenticator finds no user at all (it has no anonymous authenticator at its end), the
 * request continues as {@code system:anonymous} only to the public paths (/healthz, /livez,
 * /readyz, /version, /cacerts), elsewhere it is 401. An authenticator that returns {@code
 * system:anonymous} itself (kube-apiserver's anonymous authentication) leaves the decision to the
 * authorizer.
 */
@Sharable
final class AuthenticationHandler extends SimpleChannelInboundHandler<ServerRequest> {
  private final Authenticator authenticator;

  AuthenticationHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ServerRequest request) {
    Optional<UserInfo> found;
    RequestLog log = RequestLog.of(ctx.channel());
    boolean audited = log != null && log.audited();
    List<String> sourceIps = audited ? sourceIps(ctx, request) : List.of();
    try {
      found = authenticator.authenticate(request.api(), tlsSession(ctx));
    } catch (ApiException e) {
      if (audited) {
        // refused impersonation: the event names the caller who asked for it
        log.request(request, caller(ctx, request), null, sourceIps);
      }
      ctx.writeAndFlush(Responses.status(e, request.auditId()));
      return;
    }
    UserInfo user = found.orElse(UserInfo.ANONYMOUS);
    if (log != null) {
      log.user(user.name());
      if (audited) {
        UserInfo impersonator =
            authenticator.impersonator(request.api(), tlsSession(ctx)).orElse(null);
        log.request(request, user, impersonator, sourceIps);
      }
    }
    if (found.isEmpty() && !NonResourceHandler.isPublic(request.api().path())) {
      ctx.writeAndFlush(Responses.status(ApiException.unauthorized(), request.auditId()));
      return;
    }
    ctx.fireChannelRead(request.withUser(user));
  }

  /** Who asked to impersonate, when that is what failed; else null (unknown credentials). */
  private UserInfo caller(ChannelHandlerContext ctx, ServerRequest request) {
    try {
      return authenticator.impersonator(request.api(), tlsSession(ctx)).orElse(null);
    } catch (ApiException e) {
      return null;
    }
  }

  /** The TLS session of the connection (the parent channel for an HTTP/2 stream), or null. */
  private static SSLSession tlsSession(ChannelHandlerContext ctx) {
    Channel connection =
        ctx.channel() instanceof Http2StreamChannel stream ? stream.parent() : ctx.channel();
    SslHandler ssl = connection.pipeline().get(SslHandler.class);
    return ssl == null ? null : ssl.engine().getSession();
  }

  /**
   * The client addresses for the audit event, as Kubernetes lists them: those in X-Forwarded-For,
   * then X-Real-Ip, then the connection's peer.
   */
  private static List<String> sourceIps(ChannelHandlerContext ctx, ServerRequest request) {
    Set<String> ips = new LinkedHashSet<>();
    String forwarded = request.api().header("x-forwarded-for");
    if (forwarded != null) {
      for (String ip : forwarded.split(",")) {
        if (!ip.isBlank()) {
          ips.add(ip.strip());
        }
      }
    }
    String realIp = request.api().header("x-real-ip");
    if (realIp != null && !realIp.isBlank()) {
      ips.add(realIp.strip());
    }
    Channel connection =
        ctx.channel() instanceof Http2StreamChannel stream ? stream.parent() : ctx.channel();
    if (connection.remoteAddress() instanceof InetSocketAddress peer && peer.getAddress() != null) {
      ips.add(peer.getAddress().getHostAddress());
    }
    return List.copyOf(ips);
  }
}
