package dev.skiff.apiserver.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Looks at the first bytes of a connection: a TLS record passes on (and this handler leaves the
 * pipeline); plain HTTP gets a readable 400 instead of a TLS alert, as Go's server answers.
 */
final class PlaintextRejector extends ByteToMessageDecoder {
  private static final byte[] RESPONSE =
      ("HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
              + "Connection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
          .getBytes(StandardCharsets.US_ASCII);

  /** Bytes needed to recognise a TLS record header. */
  private static final int RECORD_HEADER = 5;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < RECORD_HEADER) {
      return;
    }
    if (SslHandler.isEncrypted(in, false)) {
      ctx.pipeline().remove(this);
      return;
    }
    in.skipBytes(in.readableBytes());
    ctx.writeAndFlush(Unpooled.wrappedBuffer(RESPONSE)).addListener(ChannelFutureListener.CLOSE);
  }
}
