package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoints without a browser (PROTOCOL.md section 9): who may read the cluster's stats
 * and act, what the aggregate counts, and that every gateway of a cluster lists every node.
 */
class AdminStatsTest extends ServerTestBase {
  static final String ADMIN_TOKEN = "admin-token-0123456789-abcdef";

  @Override
  protected Map<String, String> settings() {
    return Map.of("ADMIN_TOKEN", ADMIN_TOKEN);
  }

  /** Polls {@code GET /realtime/admin/stats} (bounded) until {@code condition} holds; answers that aggregate. */
  static JsonObject awaitStats(Function<String, Response> get, Predicate<JsonObject> condition, String what)
      throws InterruptedException {
    JsonObject last = null;
    for (int i = 0; i < 150; i++) {
      Response response = get.apply(ADMIN_TOKEN);
      assertEquals(200, response.status(), response.body());
      last = response.json();
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("never saw " + what + " within 15 s; last: " + (last == null ? null : last.encodePrettily()));
  }

  private JsonObject awaitStats(Predicate<JsonObject> condition, String what) throws InterruptedException {
    return awaitStats(bearer -> request(HttpMethod.GET, "/realtime/admin/stats", bearer, null), condition, what);
  }

  static JsonObject totals(JsonObject stats) {
    return stats.getJsonObject("totals");
  }

  @Test
  @DisplayName("the stats and actions need a service token or ADMIN_TOKEN: none or a wrong one is 401, a user token 403, in the REST error shape; the page itself loads")
  void access() {
    String stats = "/realtime/admin/stats";
    Response none = request(HttpMethod.GET, stats, null, null);
    assertEquals(401, none.status());
    assertEquals("unauthorized", none.errorCode());
    Response wrong = request(HttpMethod.GET, stats, ADMIN_TOKEN + "x", null);
    assertEquals(401, wrong.status());
    assertEquals("unauthorized", wrong.errorCode());
    Response user = request(HttpMethod.GET, stats, token("alice"), null);
    assertEquals(403, user.status());
    assertEquals("forbidden", user.errorCode());
    assertEquals(401, request(HttpMethod.GET, stats + "?token=" + ADMIN_TOKEN, null, null).status(), "header only");
    assertEquals(200, request(HttpMethod.GET, stats, token("ops", "service"), null).status());
    Response ok = request(HttpMethod.GET, stats, ADMIN_TOKEN, null);
    assertEquals(200, ok.status());
    assertEquals("no-store", ok.headers().get("cache-control"));
    String publish = new JsonObject().put("channel", "chat:lobby").put("data", "x").encode();
    assertEquals(401, request(HttpMethod.POST, "/realtime/admin/publish", null, publish).status());
    assertEquals(403, request(HttpMethod.POST, "/realtime/admin/publish", token("alice"), publish).status());
    String notify = new JsonObject().put("userId", "alice").put("kind", "k").put("data", "x").encode();
    assertEquals(401, request(HttpMethod.POST, "/realtime/admin/notify", "not-the-token", notify).status());
    Response page = request(HttpMethod.GET, "/realtime/admin", null, null);
    assertEquals(200, page.status());
    assertTrue(page.headers().get("content-type").startsWith("text/html"));
    assertEquals("DENY", page.headers().get("x-frame-options"));
  }

  @Test
  @DisplayName("the aggregate shows this node with its connections, messages in and out, the top channel with its subscribers and errors by code")
  void aggregate() throws InterruptedException {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    alice.subscribe("chat:busy");
    bob.subscribe("chat:busy");
    bob.subscribe("chat:quiet");
    for (int i = 0; i < 5; i++) {
      alice.publish("chat:busy", i);
    }
    bob.send(frame("subscribe").put("channel", "dm:carol:dave"));
    WsClient.assertError(bob.next("error"), "forbidden");
    JsonObject stats = awaitStats(s -> totals(s).getJsonObject("messages").getLong("in") >= 5
        && totals(s).getJsonObject("errors").getLong("forbidden", 0L) >= 1, "5 messages in and a forbidden error");
    assertEquals("test-node", stats.getString("servedBy"));
    JsonArray nodes = stats.getJsonArray("nodes");
    assertEquals(1, nodes.size());
    JsonObject node = nodes.getJsonObject(0);
    assertEquals("test-node", node.getString("node"));
    assertEquals(List.of("gateway", "chat", "presence", "notification"), node.getJsonArray("roles").getList());
    assertTrue(List.of("ok", "slow").contains(node.getJsonObject("eventLoops").getString("status")), "no loop blocked");
    assertTrue(node.getJsonObject("eventLoops").getInteger("count") >= 1);
    assertTrue(node.getLong("ts") >= node.getLong("startedAt"));
    JsonObject totals = totals(stats);
    assertEquals(new JsonObject().put("websocket", 2).put("sse", 0).put("poll", 0), totals.getJsonObject("connections"));
    assertEquals(2, totals.getLong("usersOnline"));
    assertTrue(totals.getJsonObject("messages").getLong("out") >= 10, "each of the 5 messages went out to 2 subscribers");
    assertEquals(new JsonArray().add(new JsonObject().put("channel", "chat:busy").put("subscribers", 2))
        .add(new JsonObject().put("channel", "chat:quiet").put("subscribers", 1)), totals.getJsonArray("topChannels"));
    assertEquals("UP", stats.getJsonObject("health").getJsonObject("store").getString("status"));
    assertEquals("memory", stats.getJsonObject("health").getJsonObject("store").getString("kind"));
    assertEquals("UP", stats.getJsonObject("health").getJsonObject("cluster").getString("status"));
    assertEquals(false, stats.getJsonObject("health").getJsonObject("cluster").getBoolean("clustered"));

    alice.close();
    awaitStats(s -> totals(s).getJsonObject("connections").getInteger("websocket") == 1
        && totals(s).getJsonArray("topChannels").getJsonObject(0).getInteger("subscribers") == 1, "alice's close counted");
  }

  @Test
  @DisplayName("publish and notify go through the pipeline as service:admin: subscribers get the message, the user the notification; bad input is 400, a channel no service may publish to 403")
  void actions() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:lobby");
    Response published = request(HttpMethod.POST, "/realtime/admin/publish", ADMIN_TOKEN,
        new JsonObject().put("channel", "chat:lobby").put("data", new JsonObject().put("text", "maintenance")).put("kind", "announcement").encode());
    assertEquals(200, published.status(), published.body());
    assertEquals("chat:lobby", published.json().getString("channel"));
    JsonObject message = bob.next("message");
    assertEquals("service:admin", message.getString("from"));
    assertEquals("announcement", message.getString("kind"));
    assertEquals("maintenance", message.getJsonObject("data").getString("text"));
    assertEquals(published.json().getLong("seq"), message.getLong("seq"));

    Response withServiceToken = request(HttpMethod.POST, "/realtime/admin/publish", token("ops", "service"),
        new JsonObject().put("channel", "chat:lobby").put("data", "from ops").encode());
    assertEquals(200, withServiceToken.status(), withServiceToken.body());
    assertEquals("service:ops", bob.next("message").getString("from"), "a service token acts as itself");

    Response notified = request(HttpMethod.POST, "/realtime/admin/notify", ADMIN_TOKEN,
        new JsonObject().put("userId", "bob").put("kind", "admin_message").put("data", "hello").encode());
    assertEquals(202, notified.status(), notified.body());
    JsonObject notification = bob.next("notification");
    assertEquals("admin_message", notification.getString("kind"));
    assertEquals(notified.json().getString("id"), notification.getString("id"));

    Response noChannel = request(HttpMethod.POST, "/realtime/admin/publish", ADMIN_TOKEN, new JsonObject().put("data", "x").encode());
    assertEquals(400, noChannel.status());
    assertEquals("bad_request", noChannel.errorCode());
    assertEquals(400, request(HttpMethod.POST, "/realtime/admin/publish", ADMIN_TOKEN, "not json").status());
    assertEquals(400, request(HttpMethod.POST, "/realtime/admin/notify", ADMIN_TOKEN,
        new JsonObject().put("userId", "no spaces").put("kind", "k").put("data", "x").encode()).status());
    Response presence = request(HttpMethod.POST, "/realtime/admin/publish", ADMIN_TOKEN,
        new JsonObject().put("channel", "presence:bob").put("data", "x").encode());
    assertEquals(403, presence.status());
    assertEquals("forbidden", presence.errorCode());
  }

  @Test
  @DisplayName("without ADMIN_TOKEN only service tokens open the admin endpoints: no string stands in for it")
  void withoutAdminToken() {
    Map<String, String> env = Map.of("JWT_SECRET", SECRET, "HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1", "NODE_ID", "plain");
    RealtimeNode plain = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(env)).await();
    try {
      Function<String, Integer> status = bearer -> {
        try {
          return clientVertx.createHttpClient().request(new RequestOptions().setHost("127.0.0.1")
                  .setPort(plain.port()).setURI("/realtime/admin/stats").addHeader("Authorization", "Bearer " + bearer).setTimeout(10_000))
              .compose(request -> request.send()).map(HttpClientResponse::statusCode)
              .await(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError("no answer from the plain node", e);
        }
      };
      assertEquals(401, status.apply(ADMIN_TOKEN));
      assertEquals(401, status.apply(""));
      assertEquals(200, status.apply(token("ops", "service")));
    } finally {
      plain.close().await();
    }
  }
}
