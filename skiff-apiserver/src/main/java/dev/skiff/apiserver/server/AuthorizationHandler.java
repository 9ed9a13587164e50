package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.Locale;

/** Asks the {@link Authorizer} about each authenticated request; a denial is 403 Forbidden. */
@Sharable
final class AuthorizationHandler extends SimpleChannelInboundHandler<ServerRequest> {
  private final Authorizer authorizer;

  AuthorizationHandler(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ServerRequest request) {
    ApiRequest api = request.api();
    if (api.path().equals(NonResourceHandler.CACERTS)) {
      // the CA bundle is not a secret: a node about to join reads it before it can authenticate
      ctx.fireChannelRead(request);
      return;
    }
    RequestLog log = RequestLog.of(ctx.channel());
    Authorizer.Decision decision;
    try {
      decision = authorizer.authorize(api);
    } catch (ApiException e) {
      if (log != null && log.audited() && e.code() == 403) {
        log.annotate("authorization.k8s.io/decision", "forbid");
        log.annotate("authorization.k8s.io/reason", "");
      }
      ctx.writeAndFlush(Responses.status(e, request.auditId()));
      return;
    }
    if (log != null && log.audited()) {
      log.annotate("authorization.k8s.io/decision", decision.allowed() ? "allow" : "forbid");
      log.annotate("authorization.k8s.io/reason", decision.reason());
    }
    if (!decision.allowed()) {
      String message =
          "forbidden: User \""
              + api.user().name()
              + "\" cannot "
              + api.method().toLowerCase(Locale.ROOT)
              + " path \""
              + api.path()
              + "\""
              + (decision.reason().isEmpty() ? "" : ": " + decision.reason());
      ctx.writeAndFlush(Responses.status(ApiException.forbidden(message), request.auditId()));
      return;
    }
    ctx.fireChannelRead(request);
  }
}
