package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.WsClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.Addresses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Notifications (PROTOCOL.md sections 3, 6-8) over WebSocket, SSE, REST and the event bus. */
class NotificationTest extends ServerTestBase {

  private static void assertNotification(JsonObject frame, long seq, String kind, Object data) {
    assertEquals("notification", frame.getString("type"), frame::encode);
    assertEquals(seq, frame.getLong("seq"));
    assertEquals(kind, frame.getString("kind"));
    assertEquals(data, frame.getValue("data"));
    assertFalse(frame.getBoolean("read"));
    assertNotNull(frame.getString("id"));
    assertTrue(frame.getLong("ts") > 0);
  }

  @Test
  @DisplayName("a notification sent by REST reaches every WebSocket and SSE connection of the user, and no one else")
  void reachesEveryConnectionOfTheUser() {
    WsClient first = connect(token("alice"));
    WsClient second = connect(token("alice"));
    SseClient stream = sse("token=" + token("alice"), null);
    assertEquals(0, stream.opening());
    WsClient bob = connect(token("bob"));
    JsonObject sent = notify("alice", "post_liked", new JsonObject().put("post", 42));
    assertEquals(1, sent.getLong("seq"));
    for (WsClient client : List.of(first, second)) {
      JsonObject frame = client.next();
      assertNotification(frame, 1, "post_liked", new JsonObject().put("post", 42));
      assertEquals(sent.getString("id"), frame.getString("id"));
      assertEquals(1, client.next("unread_count").getLong("count"));
    }
    SseClient.Event event = stream.next("notification");
    assertNotNull(event.id(), "sequenced SSE events carry a cursor id");
    assertNotification(event.json(), 1, "post_liked", new JsonObject().put("post", 42));
    assertEquals(1, stream.next("unread_count").json().getLong("count"));
    notify("bob", "sentinel", 1);
    assertNotification(bob.next(), 1, "sentinel", 1);
  }

  @Test
  @DisplayName("realtime.notify on the event bus works like POST /realtime/send and replies {id, seq}")
  void eventBusNotify() {
    WsClient alice = connect(token("alice"));
    JsonObject reply = node.vertx().eventBus().<JsonObject>request(Addresses.NOTIFY,
        new JsonObject().put("userId", "alice").put("kind", "comment_added").put("data", "nice")).await().body();
    assertEquals(1, reply.getLong("seq"));
    assertNotNull(reply.getString("id"));
    assertNotification(alice.next(), 1, "comment_added", "nice");
  }

  @Test
  @DisplayName("notifications sent while offline come on the next connection: unread count first, then oldest first, then live")
  void offlineQueue() {
    for (int i = 1; i <= 3; i++) {
      notify("alice", "k" + i, i);
    }
    WsClient alice = open("", token("alice"));
    alice.next("connected");
    assertEquals(3, alice.next().getLong("count"), "unread_count comes right after connected");
    for (int i = 1; i <= 3; i++) {
      assertNotification(alice.next(), i, "k" + i, i);
    }
    notify("alice", "live", 4);
    assertNotification(alice.next(), 4, "live", 4);
  }

  @Test
  @DisplayName("the offline queue is delivered once: a later connection does not get it again")
  void offlineQueueIsDeliveredOnce() {
    notify("alice", "queued", 1);
    WsClient first = connect(token("alice"));
    assertNotification(first.next(), 1, "queued", 1);
    WsClient second = open("", token("alice"));
    second.next("connected");
    assertEquals("unread_count", second.next().getString("type"));
    notify("alice", "sentinel", 2);
    assertNotification(second.next(), 2, "sentinel", 2);
  }

  @Test
  @DisplayName("notifications stored while the user has no connection are published for push gateways; others are not")
  void offlinePush() throws InterruptedException {
    BlockingQueue<JsonObject> pushed = new LinkedBlockingQueue<>();
    node.vertx().eventBus().<JsonObject>consumer(Addresses.OFFLINE_NOTIFICATION, m -> pushed.add(m.body())).completion().await();
    WsClient alice = connect(token("alice"));
    awaitConnections("alice", 1);
    notify("alice", "while_online", 1);
    assertNotification(alice.next(), 1, "while_online", 1);
    alice.close();
    awaitConnections("alice", 0);
    notify("alice", "while_offline", new JsonObject().put("x", 1));
    JsonObject push = pushed.poll(10, TimeUnit.SECONDS);
    assertNotNull(push, "no push for an offline user");
    assertEquals("alice", push.getString("userId"));
    assertEquals(2, push.getLong("seq"), "the notification sent while online was not pushed");
    assertEquals("while_offline", push.getString("kind"));
    assertEquals(new JsonObject().put("x", 1), push.getJsonObject("data"));
    assertNotNull(push.getString("id"));
  }

  @Test
  @DisplayName("read marks over WebSocket and REST push the exact unread count to every connection of the user")
  void unreadCountsAcrossReadMarks() {
    WsClient first = connect(token("alice"));
    WsClient second = connect(token("alice"));
    String thirdId = null;
    for (int i = 1; i <= 3; i++) {
      JsonObject sent = notify("alice", "k", i);
      thirdId = sent.getString("id");
      for (WsClient client : List.of(first, second)) {
        client.next("notification");
        assertEquals(i, client.next("unread_count").getLong("count"));
      }
    }
    first.send(frame("read").put("upTo", 2).put("ref", "r1"));
    JsonObject answer = first.next("unread_count");
    assertEquals(1, answer.getLong("count"));
    assertEquals("r1", answer.getString("ref"), "the answer to a read carries its ref");
    JsonObject pushed = second.next("unread_count");
    assertEquals(1, pushed.getLong("count"));
    assertFalse(pushed.containsKey("ref"), "other connections get the count without it");
    first.send(frame("ping").put("ref", "sentinel"));
    assertEquals("pong", first.next().getString("type"), "the reading connection got the count once, not also without ref");
    Response read = request(HttpMethod.POST, "/realtime/notifications/read", token("alice"),
        new JsonObject().put("ids", new JsonArray().add(thirdId)).encode());
    assertEquals(200, read.status());
    assertEquals(0, read.json().getLong("unread"));
    assertEquals(0, first.next("unread_count").getLong("count"));
    assertEquals(0, second.next("unread_count").getLong("count"));
    JsonObject list = request(HttpMethod.GET, "/realtime/notifications", token("alice"), null).json();
    assertEquals(0, list.getLong("unread"));
    assertEquals(List.of(3L, 2L, 1L), list.getJsonArray("notifications").stream().map(n -> ((JsonObject) n).getLong("seq")).toList());
    assertTrue(list.getJsonArray("notifications").getJsonObject(0).getBoolean("read"));
    JsonObject page = request(HttpMethod.GET, "/realtime/notifications?before=3&limit=1", token("alice"), null).json();
    assertEquals(2, page.getJsonArray("notifications").getJsonObject(0).getLong("seq"));
    assertEquals(1, page.getJsonArray("notifications").size());
  }

  @Test
  @DisplayName("read without upTo is bad_request; REST read without upTo or ids is 400")
  void badReadMarks() {
    WsClient alice = connect(token("alice"));
    alice.send(frame("read").put("ref", "r"));
    JsonObject error = alice.next("error");
    assertError(error, "bad_request");
    assertEquals("r", error.getString("ref"));
    assertEquals(400, request(HttpMethod.POST, "/realtime/notifications/read", token("alice"), "{}").status());
  }

  @Test
  @DisplayName("subscribing to notifications with since replays the notifications after it")
  void notificationsSubscribeWithSince() {
    WsClient alice = connect(token("alice"));
    for (int i = 1; i <= 3; i++) {
      notify("alice", "k", i);
      alice.next("notification");
      alice.next("unread_count");
    }
    JsonObject subscribed = alice.request(frame("subscribe").put("channel", "notifications").put("since", 1), "subscribed");
    assertTrue(subscribed.getBoolean("recovered"));
    assertEquals(3, subscribed.getLong("seq"));
    assertEquals(2, alice.next("notification").getLong("seq"));
    assertEquals(3, alice.next("notification").getLong("seq"));
  }
}
