package dev.skiff.apiserver.server;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every pipeline: a failure nothing before it handled closes the channel.
 * Network and TLS failures are the peer's business and logged at debug; anything else is a bug,
 * logged with its stack trace.
 */
@Sharable
final class ExceptionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ExceptionHandler.class);

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (isPeerProblem(cause)) {
      log.debug(
          "event=connection_failed remote={} reason={}",
          ctx.channel().remoteAddress(),
          cause.toString());
    } else {
      log.warn("event=pipeline_failed remote={}", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  private static boolean isPeerProblem(Throwable cause) {
    Throwable root =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    return root instanceof IOException
        || root instanceof SSLException
        || root instanceof PrematureChannelClosureException;
  }
}
