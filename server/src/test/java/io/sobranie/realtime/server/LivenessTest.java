package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Heartbeats (PROTOCOL.md section 3, liveness): pings every heartbeatMs, idle close after two. */
class LivenessTest extends ServerTestBase {
  private static final int HEARTBEAT_MS = 300;

  @Override
  protected Map<String, String> settings() {
    return Map.of("HEARTBEAT_MS", String.valueOf(HEARTBEAT_MS));
  }

  @Test
  @DisplayName("the server sends WebSocket ping frames, and the connected frame announces heartbeatMs")
  void serverPings() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"))) {
      JsonObject connected = new JsonObject(raw.readUntil(RawWebSocket.TEXT).text());
      assertEquals(HEARTBEAT_MS, connected.getInteger("heartbeatMs"));
      assertEquals(RawWebSocket.PING, raw.readUntil(RawWebSocket.PING).opcode());
    }
  }

  @Test
  @DisplayName("a client that never answers pings is closed with 1001, not before two heartbeats")
  void silentClientIsClosed() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"))) {
      long opened = System.nanoTime();
      RawWebSocket.Frame close = raw.readUntil(RawWebSocket.CLOSE);
      long silentMs = (System.nanoTime() - opened) / 1_000_000;
      assertEquals(1001, close.closeCode());
      assertTrue(silentMs >= 2 * HEARTBEAT_MS - 50, "closed after only " + silentMs + " ms of silence");
    }
  }

  @Test
  @DisplayName("a client that answers pings stays open across many heartbeats")
  void answeringClientStaysOpen() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"))) {
      raw.readUntil(RawWebSocket.TEXT); // connected
      for (int pings = 0; pings < 5; ) {
        RawWebSocket.Frame frame = raw.read();
        assertTrue(frame.opcode() != RawWebSocket.CLOSE, "closed although it answered every ping");
        if (frame.opcode() == RawWebSocket.PING) {
          raw.sendFrame(RawWebSocket.PONG, true, frame.payload());
          pings++;
        }
      }
      raw.sendText("{\"type\":\"ping\",\"ref\":\"still\"}");
      while (true) {
        RawWebSocket.Frame frame = raw.read();
        if (frame.opcode() == RawWebSocket.TEXT) {
          assertEquals("still", new JsonObject(frame.text()).getString("ref"));
          return;
        }
        assertTrue(frame.opcode() != RawWebSocket.CLOSE, "closed although it answered every ping");
      }
    }
  }
}
