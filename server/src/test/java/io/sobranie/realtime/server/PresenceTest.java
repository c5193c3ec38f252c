package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.WsClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Presence (PROTOCOL.md sections 3 and 8): online while any connection is open, offline after the grace. */
class PresenceTest extends ServerTestBase {
  private static final long GRACE_MS = 300;

  @Override
  protected Map<String, String> settings() {
    return Map.of("PRESENCE_GRACE_MS", String.valueOf(GRACE_MS), "HEARTBEAT_MS", "600");
  }

  private static void assertPresence(JsonObject frame, String user, String status, String channel) {
    assertEquals("presence", frame.getString("type"), frame::encode);
    assertEquals(user, frame.getString("userId"));
    assertEquals(status, frame.getString("status"));
    assertEquals(channel, frame.getString("channel"));
    assertTrue(frame.getLong("ts") > 0);
  }

  @Test
  @DisplayName("the first connection announces online on presence:{id}")
  void onlineOnFirstConnection() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("presence:alice");
    connect(token("alice"));
    assertPresence(bob.next(), "alice", "online", "presence:alice");
  }

  @Test
  @DisplayName("with several connections the user stays online until the last closes, then goes offline after the grace")
  void offlineOnlyAfterTheLastConnection() throws InterruptedException {
    WsClient bob = connect(token("bob"));
    bob.subscribe("presence:alice");
    WsClient first = connect(token("alice"));
    WsClient second = connect(token("alice"));
    assertPresence(bob.next(), "alice", "online", "presence:alice");
    awaitConnections("alice", 2);
    first.close();
    awaitConnections("alice", 1);
    Thread.sleep(2 * GRACE_MS); // long past the grace: an offline would have been announced by now
    long lastClose = System.currentTimeMillis();
    second.close();
    JsonObject offline = bob.next();
    assertPresence(offline, "alice", "offline", "presence:alice");
    assertTrue(offline.getLong("ts") >= lastClose + GRACE_MS - 50, "offline came from the last close, after the grace");
  }

  @Test
  @DisplayName("a reconnect within the grace does not flap: no offline, no second online")
  void quickReconnectDoesNotFlap() throws InterruptedException {
    WsClient bob = connect(token("bob"));
    bob.subscribe("presence:alice");
    WsClient first = connect(token("alice"));
    assertPresence(bob.next(), "alice", "online", "presence:alice");
    awaitConnections("alice", 1);
    first.close();
    WsClient again = connect(token("alice")); // a page reload
    awaitConnections("alice", 1);
    Thread.sleep(2 * GRACE_MS);
    long lastClose = System.currentTimeMillis();
    again.close();
    JsonObject next = bob.next();
    assertPresence(next, "alice", "offline", "presence:alice");
    assertTrue(next.getLong("ts") >= lastClose, "the reload announced nothing");
  }

  @Test
  @DisplayName("offline is also pushed to the rooms (chat:, circle:, dm:) the user was in")
  void offlineReachesRooms() throws InterruptedException {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    WsClient alice = connect(token("alice"));
    alice.subscribe("chat:room");
    awaitConnections("alice", 1);
    alice.close();
    assertPresence(bob.next(), "alice", "offline", "chat:room");
  }

  @Test
  @DisplayName("presence {users}: status and lastSeen (now when online, the disconnect time when offline, null if never seen)")
  void queryUsers() throws InterruptedException {
    WsClient carol = connect(token("carol"));
    WsClient alice = connect(token("alice"));
    awaitConnections("alice", 1);
    long beforeClose = System.currentTimeMillis();
    alice.close();
    awaitConnections("alice", 0);
    Thread.sleep(2 * GRACE_MS);
    JsonObject state = carol.request(frame("presence").put("users", new JsonArray().add("alice").add("carol").add("nobody"))
        .put("ref", "q"), "presence_state");
    assertEquals("q", state.getString("ref"));
    List<Object> users = state.getJsonArray("users").getList();
    assertEquals(3, users.size());
    JsonObject aliceState = state.getJsonArray("users").getJsonObject(0);
    assertEquals("offline", aliceState.getString("status"));
    assertTrue(aliceState.getLong("lastSeen") >= beforeClose);
    JsonObject carolState = state.getJsonArray("users").getJsonObject(1);
    assertEquals("online", carolState.getString("status"));
    assertTrue(carolState.getLong("lastSeen") >= beforeClose);
    JsonObject nobody = state.getJsonArray("users").getJsonObject(2);
    assertEquals("offline", nobody.getString("status"));
    assertNull(nobody.getValue("lastSeen"));
  }

  @Test
  @DisplayName("during the grace a user who just left still counts as online")
  void onlineDuringGrace() throws InterruptedException {
    WsClient carol = connect(token("carol"));
    WsClient alice = connect(token("alice"));
    awaitConnections("alice", 1);
    alice.close();
    awaitConnections("alice", 0);
    JsonObject state = carol.request(frame("presence").put("users", new JsonArray().add("alice")), "presence_state");
    assertEquals("online", state.getJsonArray("users").getJsonObject(0).getString("status"));
  }

  @Test
  @DisplayName("presence {channel} and GET /realtime/presence/{channel} list who follows the room now; the ACL applies")
  void roomPresence() throws InterruptedException {
    connect(token("alice")).subscribe("chat:room");
    connect(token("carol")).subscribe("chat:room");
    WsClient bob = connect(token("bob"));
    for (int i = 0; i < 500 && node.store().presence().members("chat:room").await().size() < 2; i++) {
      Thread.sleep(10);
    }
    JsonObject state = bob.request(frame("presence").put("channel", "chat:room"), "presence_state");
    assertEquals("chat:room", state.getString("channel"));
    assertEquals(List.of("alice", "carol"), state.getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("userId")).toList());
    JsonObject rest = request(HttpMethod.GET, "/realtime/presence/chat:room", token("bob"), null).json();
    assertEquals(2, rest.getJsonArray("users").size());
    assertEquals("online", rest.getJsonArray("users").getJsonObject(0).getString("status"));
    bob.send(frame("presence").put("channel", "dm:alice:carol").put("ref", "no"));
    assertError(bob.next("error"), "forbidden");
    assertEquals(403, request(HttpMethod.GET, "/realtime/presence/dm:alice:carol", token("bob"), null).status());
  }

  @Test
  @DisplayName("GET /realtime/presence?users= answers statuses; more than 100 users is bad_request")
  void restUsersAndLimit() {
    connect(token("alice"));
    JsonObject body = request(HttpMethod.GET, "/realtime/presence?users=alice,zed", token("bob"), null).json();
    assertEquals(2, body.getJsonArray("users").size());
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      many.append(i == 0 ? "" : ",").append("u").append(i);
    }
    assertEquals(400, request(HttpMethod.GET, "/realtime/presence?users=" + many, token("bob"), null).status());
    WsClient bob = connect(token("bob"));
    JsonArray users = new JsonArray();
    for (int i = 0; i < 101; i++) {
      users.add("u" + i);
    }
    bob.send(frame("presence").put("users", users));
    assertError(bob.next("error"), "bad_request");
  }

  @Test
  @DisplayName("a node whose lease lapses is reaped: its users go offline unless connected elsewhere")
  void deadNodeIsReaped() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("presence:ghostly");
    // A node that registered a connection, then died without a word: its lease is never renewed.
    long now = System.currentTimeMillis();
    node.store().presence().renewLease("dead-node", 200, now).await();
    node.store().presence().connect("dead-node", "ghostly", "c-ghost", "websocket").await();
    JsonObject offline = bob.next();
    assertPresence(offline, "ghostly", "offline", "presence:ghostly");
    assertEquals(0, node.store().presence().connectionCount("ghostly").await());
  }
}
