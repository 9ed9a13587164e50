package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import java.util.Optional;
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
    try {
      found = authenticator.authenticate(request.api(), tlsSession(ctx));
    } catch (ApiException e) {
      ctx.writeAndFlush(Responses.status(e, request.auditId()));
      return;
    }
    UserInfo user = found.orElse(UserInfo.ANONYMOUS);
    RequestLog log = RequestLog.of(ctx.channel());
    if (log != null) {
      log.user(user.name());
    }
    if (found.isEmpty() && !NonResourceHandler.isPublic(request.api().path())) {
      ctx.writeAndFlush(Responses.status(ApiException.unauthorized(), request.auditId()));
      return;
    }
    ctx.fireChannelRead(request.withUser(user));
  }

  /** The TLS session of the connection (the parent channel for an HTTP/2 stream), or null. */
  private static SSLSession tlsSession(ChannelHandlerContext ctx) {
    Channel connection =
        ctx.channel() instanceof Http2StreamChannel stream ? stream.parent() : ctx.channel();
    SslHandler ssl = connection.pipeline().get(SslHandler.class);
    return ssl == null ? null : ssl.engine().getSession();
  }
}
