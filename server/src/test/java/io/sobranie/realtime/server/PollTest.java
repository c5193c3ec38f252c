package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Long-polling (PROTOCOL.md section 5): cursors that lose nothing and repeat nothing. */
class PollTest extends ServerTestBase {

  @Override
  protected Map<String, String> settings() {
    return Map.of("CHANNELS", "{\"small\":{\"subscribe\":\"any\",\"publish\":\"any\",\"historySize\":3}}");
  }

  private JsonObject poll(String user, String channels, String cursor, long timeoutMs) {
    Response response = request(HttpMethod.GET, pollUri(channels, cursor, timeoutMs), token(user), null);
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  private static String pollUri(String channels, String cursor, long timeoutMs) {
    StringBuilder uri = new StringBuilder("/realtime/poll?timeoutMs=").append(timeoutMs);
    if (channels != null) {
      uri.append("&channels=").append(channels);
    }
    if (cursor != null) {
      uri.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }
    return uri.toString();
  }

  private static List<JsonObject> events(JsonObject reply) {
    List<JsonObject> events = new ArrayList<>();
    reply.getJsonArray("events").forEach(e -> events.add((JsonObject) e));
    return events;
  }

  @Test
  @DisplayName("the first poll answers at once with the unread count, then the offline queue, and a cursor")
  void firstPoll() {
    notify("alice", "queued", 1);
    JsonObject reply = poll("alice", null, null, 5000);
    List<JsonObject> events = events(reply);
    assertEquals("unread_count", events.get(0).getString("type"));
    assertEquals(1, events.get(0).getLong("count"));
    assertEquals("notification", events.get(1).getString("type"));
    assertEquals("queued", events.get(1).getString("kind"));
    assertNotNull(reply.getString("cursor"));
  }

  @Test
  @DisplayName("a poll with a cursor is held until an event exists, then answers it")
  void heldUntilAnEvent() throws Exception {
    String cursor = poll("alice", "chat:p", null, 5000).getString("cursor");
    CompletableFuture<JsonObject> held = CompletableFuture.supplyAsync(() -> poll("alice", "chat:p", cursor, 20_000), OwnThreads.EACH);
    WsClient bob = connect(token("bob"));
    // publish until the held poll has joined the channel and answered (each message is kept, so none is lost)
    while (!held.isDone()) {
      bob.publish("chat:p", "hello");
      Thread.sleep(20);
    }
    List<JsonObject> events = events(held.get());
    assertFalse(events.isEmpty());
    assertEquals("message", events.get(0).getString("type"));
    assertEquals(1, events.get(0).getLong("seq"), "the first message after the cursor");
  }

  @Test
  @DisplayName("a poll with nothing to say answers an empty list when timeoutMs passes")
  void timeout() {
    String cursor = poll("alice", null, null, 5000).getString("cursor");
    JsonObject reply = poll("alice", null, cursor, 200);
    assertEquals(0, reply.getJsonArray("events").size());
    assertNotNull(reply.getString("cursor"));
  }

  @Test
  @DisplayName("polling with each reply's cursor while messages and notifications keep coming loses and repeats nothing")
  void cursorContinuity() throws Exception {
    int total = 120;
    String cursor = poll("alice", "chat:c", null, 5000).getString("cursor");
    WsClient bob = connect(token("bob"));
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      for (int i = 1; i <= total; i++) {
        bob.send(frame("message").put("channel", "chat:c").put("data", i));
        if (i % 10 == 0) {
          notify("alice", "n", i);
        }
      }
    }, OwnThreads.EACH);
    List<Long> messages = new ArrayList<>();
    List<Long> notifications = new ArrayList<>();
    for (int polls = 0; polls < 500 && !sending.isCompletedExceptionally()
        && (messages.size() < total || notifications.size() < total / 10); polls++) {
      JsonObject reply = poll("alice", "chat:c", cursor, 10_000);
      cursor = reply.getString("cursor");
      for (JsonObject event : events(reply)) {
        switch (event.getString("type")) {
          case "message" -> messages.add(event.getLong("seq"));
          case "notification" -> notifications.add(event.getLong("seq"));
          default -> { }
        }
      }
    }
    sending.get();
    List<Long> expectedMessages = new ArrayList<>();
    for (long i = 1; i <= total; i++) {
      expectedMessages.add(i);
    }
    assertEquals(expectedMessages, messages);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), notifications);
  }

  @Test
  @DisplayName("a cursor older than history answers recovered:false for that channel")
  void cursorTooOld() {
    String cursor = poll("alice", "small:x", null, 5000).getString("cursor");
    WsClient bob = connect(token("bob"));
    for (int i = 1; i <= 6; i++) {
      bob.publish("small:x", i);
    }
    JsonObject reply = poll("alice", "small:x", cursor, 5000);
    assertFalse(reply.getBoolean("recovered"));
    assertEquals(new JsonArray().add("small:x"), reply.getJsonArray("channels"));
  }

  @Test
  @DisplayName("bad token 401, denied channel 403, invalid cursor or timeout 400, all as JSON before holding")
  void refusals() {
    assertEquals(401, request(HttpMethod.GET, "/realtime/poll", "bad", null).status());
    Response denied = request(HttpMethod.GET, "/realtime/poll?channels=dm:bob:carol", token("alice"), null);
    assertEquals(403, denied.status());
    assertEquals("forbidden", denied.errorCode());
    assertEquals("bad_request", request(HttpMethod.GET, "/realtime/poll?cursor=%21%21", token("alice"), null).errorCode());
    assertEquals("bad_request", request(HttpMethod.GET, "/realtime/poll?timeoutMs=-5", token("alice"), null).errorCode());
    assertTrue(request(HttpMethod.GET, "/realtime/poll?timeoutMs=soon", token("alice"), null).status() == 400);
  }
}
