package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The idle check under load: a ping that waits behind deliveries the client has not read yet
 * cannot be answered, so that wait is not silence; a client silent past four heartbeats is idle
 * all the same.
 */
class LivenessBehindBacklogTest extends ServerTestBase {
  private static final int HEARTBEAT_MS = 1000;
  private static final int MESSAGES = 80;
  private static final String PAYLOAD = "x".repeat(50_000);

  @Override
  protected Map<String, String> settings() {
    return Map.of("HEARTBEAT_MS", String.valueOf(HEARTBEAT_MS), "MESSAGES_PER_MINUTE", "10000",
        "OUTBOUND_BUDGET_BYTES", String.valueOf(32 << 20), "SLOW_CONSUMER_MS", "60000");
  }

  /** A raw client with a small receive buffer, subscribing to {@code channel}: the last frame it sends. */
  private RawWebSocket subscriber(String channel) throws Exception {
    RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"), 4096);
    raw.readUntil(RawWebSocket.TEXT); // connected
    raw.sendText(new JsonObject().put("type", "subscribe").put("channel", channel).encode());
    return raw;
  }

  /** 4 MB for the subscriber, which it does not read. */
  private void publishBacklog(String channel) {
    WsClient bob = connect(token("bob"));
    for (int i = 0; i < MESSAGES; i++) {
      bob.publish(channel, PAYLOAD);
    }
  }

  @Test
  @DisplayName("a client whose pings wait behind 4 MB it has not read yet is not idle: reading on after three heartbeats, it answers them and stays")
  void pingBehindABacklogIsNotSilence() throws Exception {
    String channel = "chat:backlog";
    try (RawWebSocket raw = subscriber(channel)) {
      long silentSince = System.currentTimeMillis();
      publishBacklog(channel);
      Thread.sleep(Math.max(0, silentSince + 3 * HEARTBEAT_MS - System.currentTimeMillis()));

      int messages = 0;
      int pongs = 0;
      while (messages < MESSAGES || pongs == 0) {
        RawWebSocket.Frame frame = raw.read();
        assertTrue(frame.opcode() != RawWebSocket.CLOSE, () -> "closed: " + frame.closeCode() + " " + frame.closeReason());
        if (frame.opcode() == RawWebSocket.PING) {
          raw.sendFrame(RawWebSocket.PONG, true, frame.payload());
          pongs++;
        } else if (frame.opcode() == RawWebSocket.TEXT && frame.text().contains("\"message\"")) {
          messages++;
        }
      }
      raw.sendText("{\"type\":\"ping\",\"ref\":\"sentinel\"}");
      while (true) {
        RawWebSocket.Frame frame = raw.read();
        assertTrue(frame.opcode() != RawWebSocket.CLOSE, () -> "closed: " + frame.closeCode() + " " + frame.closeReason());
        if (frame.opcode() == RawWebSocket.TEXT && frame.text().contains("sentinel")) {
          return; // still served after the pause
        }
      }
    }
  }

  @Test
  @DisplayName("a client behind a backlog that never reads is closed idle (1001) after four heartbeats")
  void silenceBehindABacklogEndsAfterFourHeartbeats() throws Exception {
    try (RawWebSocket raw = subscriber("chat:backlog-silent")) {
      long silentSince = System.currentTimeMillis();
      publishBacklog("chat:backlog-silent");
      long deadline = silentSince + 10 * HEARTBEAT_MS;
      while (node.store().presence().connectionCount("alice").await() > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      long silentMs = System.currentTimeMillis() - silentSince;
      assertEquals(0, node.store().presence().connectionCount("alice").await(), "alice's session ended");
      assertTrue(silentMs >= 4 * HEARTBEAT_MS - 100, "closed after only " + silentMs + " ms of silence");
      int messages = 0;
      RawWebSocket.Frame frame;
      while ((frame = raw.read()).opcode() != RawWebSocket.CLOSE) {
        messages += frame.opcode() == RawWebSocket.TEXT && frame.text().contains("\"message\"") ? 1 : 0;
      }
      assertEquals(MESSAGES, messages, "everything before the close was delivered");
      assertEquals(1001, frame.closeCode());
    }
  }
}
