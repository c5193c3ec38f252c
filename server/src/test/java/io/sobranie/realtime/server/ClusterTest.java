package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Production mode in one JVM: clustered Vert.x nodes (Hazelcast on 127.0.0.1) sharing Redis,
 * with roles split across them. What one node accepts, the others deliver.
 */
class ClusterTest {
  private ClusterNodes cluster;
  private Vertx clients;
  private final List<WsClient> open = new ArrayList<>();

  @BeforeEach
  void setUp() {
    cluster = new ClusterNodes();
    clients = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    open.forEach(WsClient::close);
    clients.close().await();
    cluster.close();
  }

  private WsClient connect(RealtimeNode node, String user) {
    WsClient client = WsClient.connect(clients, node.port(), ServerTestBase.token(user));
    open.add(client);
    return client;
  }

  private int post(RealtimeNode node, String path, String bearer, JsonObject body) {
    return clients.createHttpClient().request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(node.port()).setURI(path).addHeader("Authorization", "Bearer " + bearer))
        .compose(r -> r.send(Buffer.buffer(body.encode()))).map(r -> r.statusCode()).await();
  }

  @Test
  @DisplayName("a client on node A receives what a client on node B and a service on B publish")
  void crossNodeDelivery() {
    RealtimeNode a = cluster.start("node-a", "all", Map.of());
    RealtimeNode b = cluster.start("node-b", "all", Map.of());
    WsClient onA = connect(a, "alice");
    onA.subscribe("chat:x");
    WsClient onB = connect(b, "bob");
    onB.publish("chat:x", "from b");
    JsonObject message = onA.next("message");
    assertEquals("from b", message.getString("data"));
    assertEquals("bob", message.getString("from"));
    onA.subscribe("post:1");
    assertEquals(200, post(b, "/realtime/publish", ServerTestBase.token("feed", "service"),
        new JsonObject().put("channel", "post:1").put("data", "new post").put("kind", "new_post")));
    assertEquals("new_post", onA.next("message").getString("kind"));
  }

  @Test
  @DisplayName("a notification reaches a user connected to both nodes exactly once per connection")
  void notificationOncePerConnection() {
    RealtimeNode a = cluster.start("node-a", "all", Map.of());
    RealtimeNode b = cluster.start("node-b", "all", Map.of());
    WsClient onA = connect(a, "alice");
    WsClient onB = connect(b, "alice");
    String service = ServerTestBase.token("notifier", "service");
    for (int i = 1; i <= 2; i++) {
      assertEquals(202, post(i == 1 ? a : b, "/realtime/send", service,
          new JsonObject().put("userId", "alice").put("kind", "k").put("data", i)));
    }
    for (WsClient client : List.of(onA, onB)) {
      assertEquals(1, client.next("notification").getLong("seq"));
      assertEquals(2, client.next("notification").getLong("seq"), "no duplicate of the first");
    }
  }

  @Test
  @DisplayName("gateway-only nodes in front of service nodes; requests round-robin across two chat instances")
  void rolesSplitAndRoundRobin() {
    RealtimeNode services1 = cluster.start("svc-1", "chat,presence,notification", Map.of());
    RealtimeNode services2 = cluster.start("svc-2", "chat", Map.of());
    RealtimeNode gateway = cluster.start("gw-1", "gateway", Map.of());
    assertEquals(-1, services1.port(), "service nodes serve no HTTP");
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    services1.vertx().eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().equals(Addresses.CHAT_MESSAGE)) {
        first.incrementAndGet();
      }
      ctx.next();
    });
    services2.vertx().eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().equals(Addresses.CHAT_MESSAGE)) {
        second.incrementAndGet();
      }
      ctx.next();
    });
    WsClient alice = connect(gateway, "alice");
    alice.subscribe("chat:split");
    for (int i = 1; i <= 10; i++) {
      assertEquals(i, alice.publish("chat:split", i).getLong("seq"));
    }
    for (int i = 1; i <= 10; i++) {
      assertEquals(i, alice.next("message").getLong("seq"));
    }
    assertTrue(first.get() > 0 && second.get() > 0, "both chat instances served: " + first + " / " + second);
    assertEquals(10, first.get() + second.get());
  }

  @Test
  @DisplayName("recovery seam with the publishers on another node and two chat instances appending concurrently")
  void recoverySeamAcrossNodes() throws Exception {
    RealtimeNode a = cluster.start("node-a", "all", Map.of());
    RealtimeNode b = cluster.start("node-b", "all", Map.of());
    int total = 300;
    WsClient pub1 = connect(b, "pub1");
    WsClient pub2 = connect(b, "pub2");
    CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < total / 2; i++) {
        pub1.send(new JsonObject().put("type", "message").put("channel", "chat:seam").put("data", i));
        pub2.send(new JsonObject().put("type", "message").put("channel", "chat:seam").put("data", i));
      }
    }, OwnThreads.EACH);
    WsClient watcher = connect(a, "watcher");
    long previous = watcher.subscribe("chat:seam").getLong("seq");
    List<WsClient> late = new ArrayList<>();
    List<Long> sinces = new ArrayList<>();
    while (late.size() < 3) {
      JsonObject message = watcher.next("message");
      long seq = message.getLong("seq");
      assertEquals(previous + 1, seq, "the live subscriber on node A sees no gap or reorder");
      previous = seq;
      if (seq % 50 == 0) {
        WsClient client = connect(a, "late" + late.size());
        client.send(new JsonObject().put("type", "subscribe").put("channel", "chat:seam").put("since", seq - 5));
        late.add(client);
        sinces.add(seq - 5);
      }
    }
    publishing.get();
    for (int i = 0; i < late.size(); i++) {
      assertTrue(late.get(i).next("subscribed").getBoolean("recovered"));
      for (long expected = sinces.get(i) + 1; expected <= total; expected++) {
        JsonObject message = late.get(i).next();
        assertEquals("message", message.getString("type"), message::encode);
        assertEquals(expected, message.getLong("seq"));
      }
    }
  }
}
