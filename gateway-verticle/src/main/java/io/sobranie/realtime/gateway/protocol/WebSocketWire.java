package io.sobranie.realtime.gateway.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * Server → client WebSocket frames as bytes (RFC 6455 section 5.2: FIN, opcode, unmasked
 * length, payload), so a frame can be encoded once per node and written as it is to every
 * socket, past Vert.x's per-socket frame objects, queue and encoder.
 */
public final class WebSocketWire {
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;

  private WebSocketWire() {
  }

  /**
   * A text frame to write to many sockets: in off-heap memory (the socket writes it without a
   * copy) that the garbage collector frees, never released by a write. Write a
   * {@link ByteBuf#duplicate() duplicate} per socket: each write moves its reader index.
   */
  public static ByteBuf sharedText(Buffer utf8) {
    ByteBuffer memory = ByteBuffer.allocateDirect(headerLength(utf8.length()) + utf8.length());
    ByteBuf frame = Unpooled.wrappedBuffer(memory).clear();
    write(frame, TEXT, utf8);
    return Unpooled.unreleasableBuffer(frame);
  }

  /** A text frame for one socket. */
  public static ByteBuf text(Buffer utf8) {
    return frame(TEXT, utf8);
  }

  /** A binary frame for one socket. */
  public static ByteBuf binary(Buffer bytes) {
    return frame(BINARY, bytes);
  }

  private static ByteBuf frame(int opcode, Buffer payload) {
    ByteBuf frame = Unpooled.buffer(headerLength(payload.length()) + payload.length());
    write(frame, opcode, payload);
    return frame;
  }

  private static int headerLength(int payloadLength) {
    return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
  }

  private static void write(ByteBuf frame, int opcode, Buffer payload) {
    int length = payload.length();
    frame.writeByte(0x80 | opcode);
    if (length < 126) {
      frame.writeByte(length);
    } else if (length <= 0xFFFF) {
      frame.writeByte(126).writeShort(length);
    } else {
      frame.writeByte(127).writeLong(length);
    }
    ByteBuf bytes = ((BufferInternal) payload).getByteBuf();
    frame.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
  }
}
