package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.DevTokens;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A token that expires while its connection is open ends the connection (docs/protocol.md section 9). */
class TokenExpiryTest extends ServerTestBase {

  @Override
  protected Map<String, String> settings() {
    return Map.of("HEARTBEAT_MS", "400");
  }

  private static String expiringIn(String user, long seconds) {
    long now = System.currentTimeMillis() / 1000;
    return DevTokens.sign(SECRET, new JsonObject().put("sub", user).put("exp", now + seconds));
  }

  @Test
  @DisplayName("a WebSocket whose token expires is closed with 1008 token_expired, while it answered every ping")
  void webSocketClosedAtExpiry() {
    WsClient client = connect(expiringIn("alice", 2));
    long opened = System.currentTimeMillis();
    assertEquals(1008, client.awaitClose());
    assertEquals("token_expired", client.closeReason());
    assertTrue(System.currentTimeMillis() - opened >= 900, "not before the token expired");
  }

  @Test
  @DisplayName("an SSE stream whose token expires gets an unauthorized error event, then ends")
  void sseEndsAtExpiry() {
    SseClient stream = sse("token=" + expiringIn("bob", 2), null);
    stream.opening();
    JsonObject error = stream.next("error").json();
    assertEquals("unauthorized", error.getString("code"));
    assertEquals("token_expired", error.getString("message"));
    assertTrue(stream.awaitEnd());
  }
}
