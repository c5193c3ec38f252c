package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Long-polling users and presence (PROTOCOL.md section 9): held or recent polls count as one
 * connection per user per node, leased for {@code POLL_LEASE_MS} after the last poll ended; then
 * the user goes offline after the presence grace.
 */
class PollPresenceTest extends ServerTestBase {
  private static final long LEASE_MS = 400;
  private static final long GRACE_MS = 300;
  /** How long the polling client keeps polling: several leases and graces, so only the polls can hold it online. */
  private static final long POLLING_MS = 3 * (LEASE_MS + GRACE_MS);

  @Override
  protected Map<String, String> settings() {
    return Map.of("POLL_LEASE_MS", String.valueOf(LEASE_MS), "PRESENCE_GRACE_MS", String.valueOf(GRACE_MS),
        "HEARTBEAT_MS", "600");
  }

  /** One poll; answers its reply. */
  private JsonObject poll(String user, String channels, String cursor, long timeoutMs) {
    StringBuilder uri = new StringBuilder("/realtime/poll?timeoutMs=").append(timeoutMs);
    if (channels != null) {
      uri.append("&channels=").append(channels);
    }
    if (cursor != null) {
      uri.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }
    Response response = request(HttpMethod.GET, uri.toString(), token(user), null);
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  /** Polls the way a client does (each reply's cursor, at once again) for {@code ms}; answers when the last reply came. */
  private CompletableFuture<Long> keepPolling(String user, String channels, long ms) {
    return CompletableFuture.supplyAsync(() -> {
      String cursor = poll(user, channels, null, 0).getString("cursor");
      long until = System.currentTimeMillis() + ms;
      while (System.currentTimeMillis() < until) {
        cursor = poll(user, channels, cursor, Math.min(LEASE_MS, Math.max(1, until - System.currentTimeMillis()))).getString("cursor");
      }
      return System.currentTimeMillis();
    }, OwnThreads.EACH);
  }

  /** Polls held on the node now ({@code GET /realtime/stats}). */
  private int heldPolls() {
    return request(HttpMethod.GET, "/realtime/stats", token("ops", "service"), null).json().getInteger("poll_count");
  }

  private static String status(WsClient asker, String user) {
    JsonObject state = asker.request(frame("presence").put("users", new JsonArray().add(user)), "presence_state");
    return state.getJsonArray("users").getJsonObject(0).getString("status");
  }

  private static List<String> members(WsClient asker, String channel) {
    JsonObject state = asker.request(frame("presence").put("channel", channel), "presence_state");
    return state.getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("userId")).toList();
  }

  private static void assertPresence(JsonObject frame, String user, String status, String channel) {
    assertEquals("presence", frame.getString("type"), frame::encode);
    assertEquals(user, frame.getString("userId"), frame::encode);
    assertEquals(status, frame.getString("status"), frame::encode);
    assertEquals(channel, frame.getString("channel"), frame::encode);
  }

  @Test
  @DisplayName("a long-polling user is online while polling and goes offline once the lease and the grace have passed after the last poll")
  void onlineWhilePollingOfflineAfter() throws Exception {
    WsClient bob = connect(token("bob"));
    bob.subscribe("presence:alice");
    assertEquals("offline", status(bob, "alice"));
    CompletableFuture<Long> polling = keepPolling("alice", null, POLLING_MS);
    assertPresence(bob.next(), "alice", "online", "presence:alice");
    // Past lease + grace, twice: only the polls themselves can keep her online now.
    Thread.sleep(2 * (LEASE_MS + GRACE_MS));
    assertEquals("online", status(bob, "alice"), "online while polling");
    assertEquals(1, node.store().presence().connectionCount("alice").await(), "one presence connection for all her polls");
    long lastPoll = polling.get(30, TimeUnit.SECONDS);
    // The next presence frame is the offline: an offline announced while she polled would come first, with an earlier ts.
    JsonObject offline = bob.next();
    assertPresence(offline, "alice", "offline", "presence:alice");
    assertTrue(offline.getLong("ts") >= lastPoll + LEASE_MS + GRACE_MS - 100,
        "offline after lease + grace from the last poll: ts " + offline.getLong("ts") + ", last poll " + lastPoll);
    assertEquals("offline", status(bob, "alice"));
    assertEquals(0, node.store().presence().connectionCount("alice").await());
  }

  @Test
  @DisplayName("a user polling a presence room is listed in the room while polling; after the lease the room hears the offline and lists them no more")
  void pollingARoom() throws Exception {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:room");
    CompletableFuture<Long> polling = keepPolling("alice", "chat:room", POLLING_MS);
    for (int i = 0; i < 500 && !members(bob, "chat:room").contains("alice"); i++) {
      Thread.sleep(10);
    }
    assertEquals(List.of("alice", "bob"), members(bob, "chat:room"));
    Thread.sleep(2 * (LEASE_MS + GRACE_MS));
    assertEquals(List.of("alice", "bob"), members(bob, "chat:room"), "still in the room while polling it");
    polling.get(30, TimeUnit.SECONDS);
    assertPresence(bob.next("presence"), "alice", "offline", "chat:room");
    assertEquals(List.of("bob"), members(bob, "chat:room"));
  }

  @Test
  @DisplayName("two polls of one user held at once are one presence connection, and no poll at all leaves none")
  void oneConnectionPerUser() throws Exception {
    String cursor = poll("alice", null, null, 0).getString("cursor");
    CompletableFuture<JsonObject> first = CompletableFuture.supplyAsync(() -> poll("alice", null, cursor, 1500), OwnThreads.EACH);
    CompletableFuture<JsonObject> second = CompletableFuture.supplyAsync(() -> poll("alice", null, cursor, 1500), OwnThreads.EACH);
    for (int i = 0; i < 500 && heldPolls() < 2; i++) {
      Thread.sleep(10);
    }
    assertEquals(2, heldPolls(), "both polls held");
    awaitConnections("alice", 1);
    Thread.sleep(100); // a second registration, had there been one, would have arrived by now
    assertEquals(1, node.store().presence().connectionCount("alice").await());
    first.get(30, TimeUnit.SECONDS);
    second.get(30, TimeUnit.SECONDS);
    awaitConnections("alice", 0);
  }
}
