package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.WsClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Channel messages: acks, fan-out, seq, idempotency, REST messages and history. */
class ChatTest extends ServerTestBase {

  @Test
  @DisplayName("a message is acked to its sender and delivered to every subscriber, sender included, with seq 1, 2, 3")
  void ackAndFanOut() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    WsClient carol = connect(token("carol"));
    for (WsClient client : List.of(alice, bob, carol)) {
      assertEquals(0, client.subscribe("chat:room").getLong("seq"));
    }
    for (int i = 1; i <= 3; i++) {
      alice.send(frame("message").put("channel", "chat:room").put("data", new JsonObject().put("n", i)).put("ref", "m" + i));
      JsonObject first = alice.next();
      JsonObject second = alice.next();
      JsonObject ack = first.getString("type").equals("ack") ? first : second;
      JsonObject own = first.getString("type").equals("ack") ? second : first;
      assertEquals("m" + i, ack.getString("ref"));
      assertEquals(i, ack.getLong("seq"));
      assertEquals("chat:room", ack.getString("channel"));
      assertNotNull(ack.getString("id"));
      assertTrue(ack.getLong("ts") > 0);
      for (JsonObject delivered : List.of(own, bob.next("message"), carol.next("message"))) {
        assertEquals("message", delivered.getString("type"));
        assertEquals(i, delivered.getLong("seq"));
        assertEquals(ack.getString("id"), delivered.getString("id"));
        assertEquals(ack.getLong("ts"), delivered.getLong("ts"));
        assertEquals("alice", delivered.getString("from"));
        assertEquals(new JsonObject().put("n", i), delivered.getJsonObject("data"));
      }
    }
  }

  @Test
  @DisplayName("from is always the authenticated user: a client-supplied from is ignored")
  void fromIsNotForgeable() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    alice.request(frame("message").put("channel", "chat:room").put("data", 1).put("from", "mallory"), "ack");
    assertEquals("alice", bob.next("message").getString("from"));
  }

  @Test
  @DisplayName("any JSON value is valid data and arrives unchanged")
  void dataIsAnyJson() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    List<Object> values = List.of("text ✓ \"quoted\"", 42, 3.5, true, new JsonArray().add(1).add("x"),
        new JsonObject().put("nested", new JsonObject().put("deep", List.of(1, 2))));
    for (Object value : values) {
      alice.publish("chat:room", value);
      assertEquals(value, bob.next("message").getValue("data"));
    }
  }

  @Test
  @DisplayName("a repeated idem is stored once: the original ack comes back with the new ref and nothing is delivered twice")
  void idempotentRetry() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    JsonObject first = alice.request(frame("message").put("channel", "chat:room").put("data", "once").put("idem", "k1").put("ref", "a"), "ack");
    JsonObject again = alice.request(frame("message").put("channel", "chat:room").put("data", "once").put("idem", "k1").put("ref", "b"), "ack");
    assertEquals("b", again.getString("ref"));
    assertEquals(first.getLong("seq"), again.getLong("seq"));
    assertEquals(first.getString("id"), again.getString("id"));
    assertEquals(first.getLong("ts"), again.getLong("ts"));
    alice.publish("chat:room", "sentinel");
    assertEquals("once", bob.next("message").getString("data"));
    JsonObject next = bob.next("message");
    assertEquals("sentinel", next.getString("data"), "the retry must not be delivered again");
    assertEquals(first.getLong("seq") + 1, next.getLong("seq"), "the retry used no seq");
  }

  @Test
  @DisplayName("idem keys are per user: the same key from another user is another message")
  void idemIsPerUser() {
    JsonObject a = connect(token("alice")).request(frame("message").put("channel", "chat:room").put("data", 1).put("idem", "same"), "ack");
    JsonObject b = connect(token("bob")).request(frame("message").put("channel", "chat:room").put("data", 1).put("idem", "same"), "ack");
    assertEquals(a.getLong("seq") + 1, b.getLong("seq"));
  }

  @Test
  @DisplayName("POST /realtime/messages acks like a WebSocket message and shares its idem keys")
  void restMessages() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    Response response = request(HttpMethod.POST, "/realtime/messages", token("alice"),
        new JsonObject().put("channel", "chat:room").put("data", "via rest").put("idem", "r1").encode());
    assertEquals(200, response.status());
    JsonObject ack = response.json();
    assertEquals(1, ack.getLong("seq"));
    assertEquals("chat:room", ack.getString("channel"));
    JsonObject delivered = bob.next("message");
    assertEquals("via rest", delivered.getString("data"));
    assertEquals("alice", delivered.getString("from"));
    JsonObject wsRetry = connect(token("alice")).request(frame("message").put("channel", "chat:room").put("data", "via rest").put("idem", "r1"), "ack");
    assertEquals(ack.getString("id"), wsRetry.getString("id"));
  }

  @Test
  @DisplayName("POST /realtime/messages with bad input answers 400/403 in the error shape")
  void restMessagesBadInput() {
    assertEquals("bad_request", request(HttpMethod.POST, "/realtime/messages", token("alice"), "not json").errorCode());
    assertEquals("bad_request", request(HttpMethod.POST, "/realtime/messages", token("alice"), "[1]").errorCode());
    assertEquals("bad_request", request(HttpMethod.POST, "/realtime/messages", token("alice"),
        new JsonObject().put("channel", "chat:room").encode()).errorCode());
    Response forbidden = request(HttpMethod.POST, "/realtime/messages", token("alice"),
        new JsonObject().put("channel", "post:1").put("data", 1).encode());
    assertEquals(403, forbidden.status());
    assertEquals("forbidden", forbidden.errorCode());
  }

  @Test
  @DisplayName("a REST body over the frame limit is 413 too_large")
  void restBodyTooLarge() {
    Response response = request(HttpMethod.POST, "/realtime/messages", token("alice"),
        new JsonObject().put("channel", "chat:room").put("data", "x".repeat(70_000)).encode());
    assertEquals(413, response.status());
    assertEquals("too_large", response.errorCode());
  }

  @Test
  @DisplayName("GET /realtime/history: last N without since, first N after since, oldest first; subscribe right needed")
  void history() {
    WsClient alice = connect(token("alice"));
    for (int i = 1; i <= 5; i++) {
      alice.publish("chat:hist", i);
    }
    JsonObject latest = request(HttpMethod.GET, "/realtime/history/chat:hist?limit=2", token("bob"), null).json();
    assertEquals(5, latest.getLong("seq"));
    assertNotNull(latest.getString("epoch"));
    assertEquals(List.of(4L, 5L), seqs(latest.getJsonArray("messages")));
    JsonObject after = request(HttpMethod.GET, "/realtime/history/chat:hist?since=1&limit=3", token("bob"), null).json();
    assertEquals(List.of(2L, 3L, 4L), seqs(after.getJsonArray("messages")));
    assertEquals("alice", after.getJsonArray("messages").getJsonObject(0).getString("from"));
    assertEquals(2, after.getJsonArray("messages").getJsonObject(0).getInteger("data"));
    assertEquals(5, seqs(request(HttpMethod.GET, "/realtime/history/chat:hist", token("bob"), null)
        .json().getJsonArray("messages")).size(), "default limit 50 covers all five");
    Response forbidden = request(HttpMethod.GET, "/realtime/history/dm:alice:bob", token("mallory"), null);
    assertEquals(403, forbidden.status());
    assertEquals("bad_request", request(HttpMethod.GET, "/realtime/history/chat:hist?since=-1", token("bob"), null).errorCode());
  }

  private static List<Long> seqs(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getLong("seq")).toList();
  }

  @Test
  @DisplayName("subscribing twice is idempotent: answered again, and messages are not delivered twice")
  void subscribeTwice() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    JsonObject again = bob.request(frame("subscribe").put("channel", "chat:room").put("ref", "again"), "subscribed");
    assertEquals("again", again.getString("ref"));
    alice.publish("chat:room", "one");
    alice.publish("chat:room", "two");
    assertEquals("one", bob.next("message").getString("data"));
    assertEquals("two", bob.next("message").getString("data"), "'one' must arrive once");
  }

  @Test
  @DisplayName("a subscribe followed at once by an unsubscribe is answered subscribed, then unsubscribed, each with its ref")
  void subscribeThenUnsubscribeAtOnce() {
    WsClient alice = connect(token("alice"));
    for (int i = 0; i < 5; i++) {
      alice.sendWithoutWaiting(frame("subscribe").put("channel", "chat:quick" + i).put("ref", "s" + i));
      alice.sendWithoutWaiting(frame("unsubscribe").put("channel", "chat:quick" + i).put("ref", "u" + i));
    }
    for (int i = 0; i < 5; i++) {
      JsonObject subscribed = alice.next();
      assertEquals("subscribed", subscribed.getString("type"), subscribed::encode);
      assertEquals("s" + i, subscribed.getString("ref"));
      JsonObject unsubscribed = alice.next();
      assertEquals("unsubscribed", unsubscribed.getString("type"), unsubscribed::encode);
      assertEquals("u" + i, unsubscribed.getString("ref"));
    }
  }

  @Test
  @DisplayName("after unsubscribe nothing more arrives from the channel; unsubscribing again is not_subscribed")
  void unsubscribe() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    bob.subscribe("chat:other");
    assertEquals("chat:room", bob.request(frame("unsubscribe").put("channel", "chat:room"), "unsubscribed").getString("channel"));
    alice.publish("chat:room", "missed");
    alice.publish("chat:other", "sentinel");
    JsonObject next = bob.next("message");
    assertEquals("sentinel", next.getString("data"), "nothing from chat:room may arrive after unsubscribe");
    bob.send(frame("unsubscribe").put("channel", "chat:room").put("ref", "u2"));
    JsonObject error = bob.next("error");
    assertError(error, "not_subscribed");
    assertEquals("u2", error.getString("ref"));
  }

  @Test
  @DisplayName("a subscriber gets only its channels' messages")
  void onlySubscribedChannels() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:mine");
    alice.publish("chat:elsewhere", "not for bob");
    alice.publish("chat:mine", "sentinel");
    assertEquals("chat:mine", bob.next("message").getString("channel"));
    assertFalse(bob.pending() > 0);
  }
}
