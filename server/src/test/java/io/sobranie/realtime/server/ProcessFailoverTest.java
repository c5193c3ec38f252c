package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Node loss for real: clustered server processes sharing Redis, one killed with SIGKILL. Its
 * users go offline through the lease reaper, its clients reconnect to a survivor with
 * {@code since} and lose nothing, and a full restart leaves no stale presence.
 */
class ProcessFailoverTest {
  private ClusterNodes cluster;
  private Vertx clients;
  private final List<NodeProcess> processes = new ArrayList<>();
  private final List<WsClient> open = new ArrayList<>();

  @BeforeEach
  void setUp() {
    cluster = new ClusterNodes();
    clients = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    open.forEach(WsClient::close);
    processes.forEach(NodeProcess::close);
    clients.close().await();
    cluster.close();
  }

  private NodeProcess node(String id) throws Exception {
    NodeProcess node = NodeProcess.start(cluster.settings(id, "all"));
    processes.add(node);
    return node;
  }

  private WsClient connect(NodeProcess node, String user) {
    WsClient client = WsClient.connect(clients, node.port(), ServerTestBase.token(user));
    open.add(client);
    return client;
  }

  @Test
  @DisplayName("kill -9 of a node: its users go offline, its clients recover on a survivor, a full restart leaves no stale presence")
  void nodeDiesAbruptly() throws Exception {
    NodeProcess a = node("proc-a");
    NodeProcess b = node("proc-b");
    WsClient bob = connect(a, "bob");
    bob.subscribe("presence:alice");
    bob.subscribe("chat:room");
    WsClient alice = connect(b, "alice");
    JsonObject subscribed = alice.subscribe("chat:room");
    assertEquals("online", bob.next("presence").getString("status"));

    bob.publish("chat:room", "before");
    JsonObject seen = alice.next("message");
    assertEquals("before", seen.getString("data"));

    b.kill();
    alice.awaitClose(); // the socket ends with the process
    JsonObject offline = bob.next("presence");
    assertEquals("alice", offline.getString("userId"));
    assertEquals("offline", offline.getString("status"));

    for (int i = 1; i <= 3; i++) {
      bob.publish("chat:room", "while away " + i);
    }
    WsClient back = connect(a, "alice");
    JsonObject resumed = back.request(new JsonObject().put("type", "subscribe").put("channel", "chat:room")
        .put("since", seen.getLong("seq")).put("epoch", subscribed.getString("epoch")), "subscribed");
    assertTrue(resumed.getBoolean("recovered"));
    for (int i = 1; i <= 3; i++) {
      assertEquals("while away " + i, back.next("message").getString("data"), "nothing lost, in order");
    }

    // Every node dies; a fresh one must not believe anyone is still online.
    a.kill();
    NodeProcess c = node("proc-c");
    WsClient carol = connect(c, "carol");
    boolean allOffline = false;
    for (int attempt = 0; attempt < 100 && !allOffline; attempt++) {
      JsonObject state = carol.request(new JsonObject().put("type", "presence")
          .put("users", new JsonArray().add("alice").add("bob")), "presence_state");
      allOffline = state.getJsonArray("users").stream().allMatch(u -> "offline".equals(((JsonObject) u).getString("status")));
      if (!allOffline) {
        Thread.sleep(100);
      }
    }
    assertTrue(allOffline, "stale presence after a full restart");
    assertFalse(c.output().contains("Exception in thread"), c.output());
  }
}
