package io.sobranie.realtime.gateway.transport.ws;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Text frames from bytes encoded once. Vert.x 5 has no public text-frame factory taking a
 * {@link Buffer} ({@code writeTextMessage(String)} re-encodes per socket), so this uses the
 * internal frame class; a test pins it. Make one frame per socket: the encoder consumes it.
 */
final class WebSocketFrames {
  private WebSocketFrames() {
  }

  static WebSocketFrame text(Buffer utf8) {
    // getByteBuf() returns a fresh slice of the same memory: no copy, independent reader index.
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, ((BufferInternal) utf8).getByteBuf(), true);
  }

  static WebSocketFrame binary(Buffer bytes) {
    return new WebSocketFrameImpl(WebSocketFrameType.BINARY, ((BufferInternal) bytes).getByteBuf(), true);
  }
}
