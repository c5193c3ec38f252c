package io.sobranie.realtime.gateway.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Server → client WebSocket frames as bytes (RFC 6455 section 5.2: FIN, opcode, unmasked
 * length, payload), so a frame can be encoded once per node and written as it is to every
 * socket; control frames (ping, pong, close) too: the socket's pipeline has no frame encoder.
 */
public final class WebSocketWire {
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;
  /** A control frame's payload is at most 125 bytes; a close frame's is its 2-byte code and the reason. */
  private static final int MAX_CLOSE_REASON_BYTES = 123;

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

  /** An empty ping. */
  public static ByteBuf ping() {
    return frame(PING, Buffer.buffer());
  }

  /** The answer to a ping: its payload (at most 125 bytes, checked by the frame decoder) echoed. */
  public static ByteBuf pong(ByteBuf pingPayload) {
    return frame(PONG, BufferInternal.buffer(pingPayload));
  }

  /**
   * A close frame with {@code code} and {@code reason}, the reason cut to what a control frame
   * carries (at a character boundary); {@code code} &lt; 0 gives an empty close frame (no code).
   */
  public static ByteBuf close(int code, String reason) {
    Buffer payload = Buffer.buffer();
    if (code >= 0) {
      payload.appendShort((short) code).appendBytes(utf8Prefix(reason == null ? "" : reason, MAX_CLOSE_REASON_BYTES));
    }
    return frame(CLOSE, payload);
  }

  /** The longest prefix of {@code text} whose UTF-8 form fits in {@code maxBytes} (no split character). */
  static byte[] utf8Prefix(String text, int maxBytes) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= maxBytes) {
      return bytes;
    }
    int end = maxBytes;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--; // bytes[end] continues a character: cut before the character starts
    }
    return Arrays.copyOf(bytes, end);
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
