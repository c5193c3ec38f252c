package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Server-Sent Events (PROTOCOL.md section 4), read by a real SSE parser over HTTP. */
class SseTest extends ServerTestBase {

  @Override
  protected Map<String, String> settings() {
    return Map.of("HEARTBEAT_MS", "400",
        "CHANNELS", "{\"small\":{\"subscribe\":\"any\",\"publish\":\"any\",\"historySize\":3}}");
  }

  @Test
  @DisplayName("the stream opens with retry, connected and unread_count, as text/event-stream")
  void opening() {
    SseClient stream = sse("token=" + token("alice"), null);
    assertEquals(200, stream.status());
    assertEquals("3000", stream.next("retry").data());
    JsonObject connected = stream.next("connected").json();
    assertEquals("alice", connected.getString("userId"));
    assertEquals("test-node", connected.getString("node"));
    assertNotNull(connected.getString("connectionId"));
    assertEquals(0, stream.next("unread_count").json().getLong("count"));
  }

  @Test
  @DisplayName("a ticket opens a stream too")
  void ticket() {
    String ticket = request(HttpMethod.POST, "/realtime/ticket", token("alice"), null).json().getString("ticket");
    assertEquals(0, sse("ticket=" + ticket, null).opening());
  }

  @Test
  @DisplayName("a bad token is 401 JSON; a denied channel 403; an invalid channel or more than 50 channels 400")
  void refusals() {
    Response bad = request(HttpMethod.GET, "/realtime/events?token=nope", null, null);
    assertEquals(401, bad.status());
    assertEquals("unauthorized", bad.errorCode());
    Response denied = request(HttpMethod.GET, "/realtime/events?token=" + token("alice") + "&channels=chat:a,dm:bob:carol", null, null);
    assertEquals(403, denied.status());
    assertEquals("forbidden", denied.errorCode());
    assertEquals(400, request(HttpMethod.GET, "/realtime/events?token=" + token("alice") + "&channels=chat:a,bad%20name", null, null).status());
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 51; i++) {
      many.append(i == 0 ? "" : ",").append("chat:c").append(i);
    }
    assertEquals(400, request(HttpMethod.GET, "/realtime/events?token=" + token("alice") + "&channels=" + many, null, null).status());
    assertEquals(400, request(HttpMethod.GET, "/realtime/events?token=" + token("alice") + "&lastEventId=not-a-cursor", null, null).status());
  }

  @Test
  @DisplayName("channel messages arrive as message events with an id cursor; other channels' do not")
  void channelEvents() {
    SseClient stream = sse("token=" + token("alice") + "&channels=chat:a", null);
    stream.opening();
    WsClient bob = connect(token("bob"));
    bob.publish("chat:other", "not for the stream");
    bob.publish("chat:a", "hello");
    SseClient.Event event = stream.next("message");
    assertNotNull(event.id());
    assertEquals("hello", event.json().getString("data"));
    assertEquals("chat:a", event.json().getString("channel"));
    assertEquals("bob", event.json().getString("from"));
  }

  @Test
  @DisplayName("Last-Event-ID replays everything after the cursor, messages and notifications, in order, without duplicates")
  void lastEventIdReplay() {
    WsClient bob = connect(token("bob"));
    String lastId;
    try (SseClient first = SseClient.open(clientVertx, port(), "token=" + token("alice") + "&channels=chat:a", null)) {
      first.opening();
      bob.publish("chat:a", "one");
      lastId = first.next("message").id();
      notify("alice", "seen", 1);
      first.next("notification");
      first.next("unread_count");
    }
    // Resume from the cursor of message one: notification one was seen later, so it comes again.
    bob.publish("chat:a", "two");
    notify("alice", "missed", 2);
    bob.publish("chat:a", "three");
    SseClient again = sse("token=" + token("alice") + "&channels=chat:a", lastId);
    again.opening();
    JsonArray seen = new JsonArray();
    SseClient.Event event = again.next();
    while (seen.size() < 4) {
      if (event.name().equals("message") || event.name().equals("notification")) {
        seen.add(event.name() + ":" + (event.name().equals("message") ? event.json().getString("data") : event.json().getString("kind")));
      }
      if (seen.size() < 4) {
        event = again.next();
      }
    }
    assertTrue(seen.contains("message:two") && seen.contains("message:three")
        && seen.contains("notification:seen") && seen.contains("notification:missed"), seen.encode());
    assertTrue(seen.getList().indexOf("message:two") < seen.getList().indexOf("message:three"), seen.encode());
    assertTrue(seen.getList().indexOf("notification:seen") < seen.getList().indexOf("notification:missed"), seen.encode());
    bob.publish("chat:a", "live");
    SseClient.Event live = again.next();
    while (!live.name().equals("message")) {
      live = again.next();
    }
    assertEquals("live", live.json().getString("data"), "nothing replayed twice before the live message");
  }

  @Test
  @DisplayName("the lastEventId query parameter works like the header")
  void lastEventIdQuery() {
    WsClient bob = connect(token("bob"));
    String id;
    try (SseClient first = SseClient.open(clientVertx, port(), "token=" + token("alice") + "&channels=chat:q", null)) {
      first.opening();
      bob.publish("chat:q", "one");
      id = first.next("message").id();
    }
    bob.publish("chat:q", "two");
    SseClient again = sse("token=" + token("alice") + "&channels=chat:q&lastEventId=" + id, null);
    again.opening();
    assertEquals("two", again.next("message").json().getString("data"));
  }

  @Test
  @DisplayName("a cursor older than history: a recovered:false event naming the channel comes before live events")
  void cursorTooOld() {
    WsClient bob = connect(token("bob"));
    String id;
    try (SseClient first = SseClient.open(clientVertx, port(), "token=" + token("alice") + "&channels=small:x", null)) {
      first.opening();
      bob.publish("small:x", 0);
      id = first.next("message").id();
    }
    for (int i = 1; i <= 5; i++) {
      bob.publish("small:x", i);
    }
    SseClient again = sse("token=" + token("alice") + "&channels=small:x", id);
    again.opening();
    JsonObject recovered = again.next("recovered").json();
    assertFalse(recovered.getBoolean("recovered"));
    assertEquals(new JsonArray().add("small:x"), recovered.getJsonArray("channels"));
    bob.publish("small:x", "live");
    assertEquals("live", again.next("message").json().getString("data"), "no replay of the lost channel");
  }

  @Test
  @DisplayName("an idle stream gets ': ping' comments")
  void heartbeat() {
    SseClient stream = sse("token=" + token("alice"), null);
    stream.opening();
    SseClient.Event event = stream.nextAny();
    assertTrue(event.comment(), "expected a comment, got " + event);
    assertEquals("ping", event.data());
  }

  @Test
  @DisplayName("when the client goes away its stream is cleaned up: the connection count returns to zero")
  void cleanup() throws InterruptedException {
    SseClient stream = SseClient.open(clientVertx, port(), "token=" + token("alice") + "&channels=chat:a", null);
    stream.opening();
    awaitConnections("alice", 1);
    stream.close();
    awaitConnections("alice", 0);
  }

}
