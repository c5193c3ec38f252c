package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.WsClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Malformed client frames get the right error (with the ref when there is one); the connection stays usable. */
class BadInputTest extends ServerTestBase {
  private static final int MAX_FRAME = 4096;

  @Override
  protected Map<String, String> settings() {
    return Map.of("MAX_FRAME_BYTES", String.valueOf(MAX_FRAME));
  }

  private void assertStillUsable(WsClient client) {
    assertEquals("alive", client.request(frame("ping").put("ref", "alive"), "pong").getString("ref"));
  }

  private void assertRejectedText(String text, String code) {
    WsClient client = connect(token("alice"));
    client.sendText(text);
    JsonObject error = client.next();
    assertError(error, code);
    assertNull(error.getString("ref"));
    assertStillUsable(client);
  }

  private void assertRejected(JsonObject request, String code) {
    WsClient client = connect(token("alice"));
    client.send(request.put("ref", "bad-1"));
    JsonObject error = client.next();
    assertError(error, code);
    assertEquals("bad-1", error.getString("ref"));
    assertStillUsable(client);
  }

  @Test
  @DisplayName("invalid JSON is bad_request")
  void invalidJson() {
    assertRejectedText("{not json", "bad_request");
  }

  @Test
  @DisplayName("a JSON value that is not an object is bad_request")
  void notAnObject() {
    assertRejectedText("[1,2,3]", "bad_request");
    assertRejectedText("\"subscribe\"", "bad_request");
  }

  @Test
  @DisplayName("a missing or non-string type is bad_request")
  void missingType() {
    assertRejected(new JsonObject().put("channel", "chat:a"), "bad_request");
    assertRejected(new JsonObject().put("type", 7), "bad_request");
  }

  @Test
  @DisplayName("an unknown type is unknown_type")
  void unknownType() {
    assertRejected(frame("launch"), "unknown_type");
  }

  @Test
  @DisplayName("subscribe without a channel, or with a channel of the wrong type, is bad_request")
  void subscribeWithoutChannel() {
    assertRejected(frame("subscribe"), "bad_request");
    assertRejected(frame("subscribe").put("channel", 12), "bad_request");
  }

  @Test
  @DisplayName("subscribe with an invalid channel name is bad_request")
  void subscribeInvalidChannel() {
    assertRejected(frame("subscribe").put("channel", "chat:has space"), "bad_request");
    assertRejected(frame("subscribe").put("channel", "c".repeat(201)), "bad_request");
    assertRejected(frame("subscribe").put("channel", ":x"), "bad_request");
  }

  @Test
  @DisplayName("subscribe with a negative, fractional or non-numeric since, or a non-string epoch, is bad_request")
  void subscribeBadSince() {
    assertRejected(frame("subscribe").put("channel", "chat:a").put("since", -1), "bad_request");
    assertRejected(frame("subscribe").put("channel", "chat:a").put("since", 1.5), "bad_request");
    assertRejected(frame("subscribe").put("channel", "chat:a").put("since", "3"), "bad_request");
    assertRejected(frame("subscribe").put("channel", "chat:a").put("since", 1).put("epoch", 5), "bad_request");
  }

  @Test
  @DisplayName("message without data, with null data, or without a channel is bad_request")
  void messageMissingFields() {
    assertRejected(frame("message").put("channel", "chat:a"), "bad_request");
    assertRejected(frame("message").put("channel", "chat:a").putNull("data"), "bad_request");
    assertRejected(frame("message").put("data", "x"), "bad_request");
  }

  @Test
  @DisplayName("a non-string, empty or over-long idem is bad_request")
  void badIdem() {
    assertRejected(frame("message").put("channel", "chat:a").put("data", 1).put("idem", 5), "bad_request");
    assertRejected(frame("message").put("channel", "chat:a").put("data", 1).put("idem", ""), "bad_request");
    assertRejected(frame("message").put("channel", "chat:a").put("data", 1).put("idem", "k".repeat(65)), "bad_request");
  }

  @Test
  @DisplayName("unsubscribe without a channel is bad_request")
  void unsubscribeWithoutChannel() {
    assertRejected(frame("unsubscribe"), "bad_request");
  }

  @Test
  @DisplayName("ping is answered with pong, ts and the ref")
  void pingPong() {
    WsClient client = connect(token("alice"));
    JsonObject pong = client.request(frame("ping").put("ref", "p1"), "pong");
    assertEquals("p1", pong.getString("ref"));
    assertEquals(true, pong.getLong("ts") > 0);
  }

  @Test
  @DisplayName("a frame just under the limit is served normally")
  void frameUnderLimit() {
    WsClient client = connect(token("alice"));
    JsonObject ack = client.request(frame("message").put("channel", "chat:a").put("data", "x".repeat(MAX_FRAME - 200)), "ack");
    assertEquals(1, ack.getLong("seq"));
  }

  @Test
  @DisplayName("a frame over MAX_FRAME_BYTES closes the connection with 1009")
  void oversizedFrame() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"))) {
      raw.readUntil(RawWebSocket.TEXT); // connected
      raw.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(MAX_FRAME) + "\"}");
      assertEquals(1009, raw.readUntil(RawWebSocket.CLOSE).closeCode());
    }
  }

  @Test
  @DisplayName("a message fragmented into small frames but over MAX_FRAME_BYTES in total closes with 1009")
  void oversizedFragmentedMessage() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"))) {
      raw.readUntil(RawWebSocket.TEXT); // connected
      byte[] part = "x".repeat(MAX_FRAME / 2).getBytes(StandardCharsets.UTF_8);
      raw.sendFrame(RawWebSocket.TEXT, false, part);
      raw.sendFrame(RawWebSocket.CONTINUATION, false, part);
      raw.sendFrame(RawWebSocket.CONTINUATION, true, part);
      assertEquals(1009, raw.readUntil(RawWebSocket.CLOSE).closeCode());
    }
  }
}
