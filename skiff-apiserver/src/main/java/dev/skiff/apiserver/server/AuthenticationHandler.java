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
 * Sets the request's user from the {@link Authenticator}. Requests without credentials continue as
 * {@code system:anonymous} only to the public paths (/healthz, /livez, /readyz, /version);
 * elsewhere, and for invalid credentials, the answer is 401 Unauthorized.
 */
@Sharable
final class AuthenticationHandler extends SimpleChannelInboundHandler<ServerRequest> {
  private final Authenticator authenticator;

  AuthenticationHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ServerRequest request) {
    UserInfo user;
    try {
      Optional<UserInfo> found = authenticator.authenticate(request.api(), tlsSession(ctx));
      user = found.orElse(UserInfo.ANONYMOUS);
    } catch (ApiException e) {
      ctx.writeAndFlush(Responses.status(e, request.auditId()));
      return;
    }
    RequestLog log = RequestLog.of(ctx.channel());
    if (log != null) {
      log.user(user.name());
    }
    if (user.isAnonymous() && !NonResourceHandler.isPublic(request.api().path())) {
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
