package io.sobranie.realtime.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Frames as a client reads them: Netty's own client-side decoder (unmasked frames expected). */
class WebSocketWireTest {
  @Test
  void textFramesOfEveryLengthFormDecodeToTheirPayload() {
    for (int length : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 200_000}) {
      String text = "é".repeat(length / 2) + "x".repeat(length % 2);
      Buffer utf8 = Buffer.buffer(text);
      assertEquals(text, decodeText(WebSocketWire.text(utf8)), "length " + utf8.length());
      assertEquals(text, decodeText(WebSocketWire.sharedText(utf8).duplicate()), "shared, length " + utf8.length());
    }
  }

  @Test
  void aSharedFrameIsWrittenWholeToEverySocketAndSurvivesTheirReleases() {
    ByteBuf shared = WebSocketWire.sharedText(Buffer.buffer("{\"type\":\"message\"}"));
    assertTrue(shared.isDirect(), "off-heap: sockets write it without a copy");
    for (int socket = 0; socket < 3; socket++) {
      ByteBuf copy = shared.duplicate();
      assertEquals("{\"type\":\"message\"}", decodeText(copy));
      copy.release(); // what a completed write does
    }
    assertEquals(1, shared.refCnt());
    assertEquals("{\"type\":\"message\"}", decodeText(shared.duplicate()));
  }

  @Test
  void binaryFramesCarryTheirBytes() {
    byte[] bytes = {0, 1, 2, (byte) 0xFF, 10};
    WebSocketFrame frame = decode(WebSocketWire.binary(Buffer.buffer(bytes)));
    assertInstanceOf(BinaryWebSocketFrame.class, frame);
    assertEquals(ByteBufUtil.hexDump(bytes), ByteBufUtil.hexDump(frame.content()));
    frame.release();
  }

  @Test
  void controlFramesAreWhatAClientExpects() {
    assertInstanceOf(PingWebSocketFrame.class, release(decode(WebSocketWire.ping())));

    ByteBuf payload = Unpooled.copiedBuffer("are you there", StandardCharsets.US_ASCII);
    WebSocketFrame pong = decode(WebSocketWire.pong(payload));
    assertInstanceOf(PongWebSocketFrame.class, pong);
    assertEquals("are you there", pong.content().toString(StandardCharsets.US_ASCII));
    assertEquals(0, payload.readerIndex(), "the ping's payload is not consumed");
    release(pong);

    CloseWebSocketFrame close = (CloseWebSocketFrame) decode(WebSocketWire.close(1013, "slow consumer"));
    assertEquals(1013, close.statusCode());
    assertEquals("slow consumer", close.reasonText());
    release(close);

    CloseWebSocketFrame bare = (CloseWebSocketFrame) decode(WebSocketWire.close(-1, null));
    assertEquals(0, bare.content().readableBytes(), "no code: an empty close frame");
    release(bare);
  }

  @Test
  void aLongCloseReasonIsCutAtACharacterBoundaryToFitAControlFrame() {
    String reason = "banned: " + "ü".repeat(100); // 208 bytes of UTF-8
    CloseWebSocketFrame close = (CloseWebSocketFrame) decode(WebSocketWire.close(4000, reason));
    assertEquals(4000, close.statusCode());
    String cut = close.reasonText();
    assertTrue(reason.startsWith(cut), "a prefix of the reason: " + cut);
    assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 123, "fits the 125-byte control payload with the code");
    assertEquals(122, cut.getBytes(StandardCharsets.UTF_8).length, "8 ASCII bytes and 57 whole 2-byte characters");
    release(close);
  }

  private static WebSocketFrame release(WebSocketFrame frame) {
    frame.release();
    return frame;
  }

  private static String decodeText(ByteBuf wire) {
    WebSocketFrame frame = decode(wire);
    assertInstanceOf(TextWebSocketFrame.class, frame);
    assertTrue(frame.isFinalFragment());
    String text = frame.content().toString(StandardCharsets.UTF_8);
    frame.release();
    return text;
  }

  private static WebSocketFrame decode(ByteBuf wire) {
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
    client.writeInbound(wire);
    WebSocketFrame frame = client.readInbound();
    assertNull(client.readInbound(), "one frame, nothing left over");
    client.finishAndReleaseAll();
    return frame;
  }
}
