package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The admin aggregate of a real cluster (Hazelcast on 127.0.0.1, Redis): every gateway answers for
 * every node, service-only nodes included, sums what each counts, and forgets a node that left.
 */
class AdminClusterTest {
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

  private ServerTestBase.Response stats(RealtimeNode node) {
    try {
      return clients.createHttpClient().request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(node.port()).setURI("/realtime/admin/stats").addHeader("Authorization", "Bearer " + AdminStatsTest.ADMIN_TOKEN)
            .setTimeout(10_000))
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> new ServerTestBase.Response(response.statusCode(), Map.of(), body.toString())))
          .await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer to GET /realtime/admin/stats within 20 s from " + node.config().nodeId(), e);
    }
  }

  private static List<String> nodeIds(JsonObject stats) {
    return stats.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("node")).toList();
  }

  @Test
  @DisplayName("each gateway of a cluster lists every node (a service-only one too) with the cluster-wide totals, and forgets a node that left")
  void everyNodeListed() throws InterruptedException {
    Map<String, String> admin = Map.of("ADMIN_TOKEN", AdminStatsTest.ADMIN_TOKEN);
    RealtimeNode a = cluster.start("node-a", "gateway", admin);
    RealtimeNode b = cluster.start("node-b", "gateway", admin);
    RealtimeNode services = cluster.start("node-svc", "chat,presence,notification", admin);
    WsClient onA = WsClient.connect(clients, a.port(), ServerTestBase.token("alice"));
    WsClient onB = WsClient.connect(clients, b.port(), ServerTestBase.token("bob"));
    open.add(onA);
    open.add(onB);
    onA.subscribe("chat:shared");
    onB.subscribe("chat:shared");
    onB.publish("chat:shared", "hello across nodes");
    onA.next("message");

    for (RealtimeNode gateway : List.of(a, b)) {
      JsonObject stats = AdminStatsTest.awaitStats(bearer -> stats(gateway), s -> nodeIds(s).size() == 3
          && AdminStatsTest.totals(s).getJsonObject("messages").getLong("in") >= 1
          && AdminStatsTest.totals(s).getJsonObject("connections").getInteger("websocket") == 2
          && AdminStatsTest.totals(s).getJsonArray("topChannels").getJsonObject(0).getInteger("subscribers") == 2,
          "three nodes, two sockets and the shared channel from " + gateway.config().nodeId());
      assertEquals(List.of("node-a", "node-b", "node-svc"), nodeIds(stats));
      assertEquals(gateway.config().nodeId(), stats.getString("servedBy"));
      assertEquals(new JsonArray().add(new JsonObject().put("channel", "chat:shared").put("subscribers", 2)),
          AdminStatsTest.totals(stats).getJsonArray("topChannels"), "one follower on each node, merged");
      JsonObject svc = stats.getJsonArray("nodes").getJsonObject(2);
      assertEquals(List.of("chat", "presence", "notification"), svc.getJsonArray("roles").getList());
      assertEquals(0, svc.getJsonObject("connections").getInteger("websocket"));
      JsonObject health = stats.getJsonObject("health");
      assertEquals("redis", health.getJsonObject("store").getString("kind"));
      assertEquals("UP", health.getJsonObject("store").getString("status"));
      assertEquals(true, health.getJsonObject("cluster").getBoolean("clustered"));
      assertEquals(3, health.getJsonObject("cluster").getInteger("members"));
      assertEquals("UP", health.getJsonObject("cluster").getString("status"));
    }

    services.close().await();
    AdminStatsTest.awaitStats(bearer -> stats(a), s -> nodeIds(s).equals(List.of("node-a", "node-b")),
        "node-svc forgotten once silent");
  }
}
