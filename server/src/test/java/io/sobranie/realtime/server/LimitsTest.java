package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.WsClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Limits that protect everyone from one client (PROTOCOL.md section 3, liveness and limits). */
class LimitsTest extends ServerTestBase {
  private static final int BUDGET = 5;

  @Override
  protected Map<String, String> settings() {
    return Map.of("MESSAGES_PER_MINUTE", String.valueOf(BUDGET), "SIGNALS_PER_MINUTE", String.valueOf(BUDGET),
        "SUBSCRIBES_PER_MINUTE", String.valueOf(BUDGET), "MAX_CONNECTIONS", "4", "ALLOWED_ORIGINS", "https://app.example.com",
        "OUTBOUND_BUDGET_BYTES", "65536", "SLOW_CONSUMER_MS", "500");
  }

  private static JsonObject message(String data) {
    return frame("message").put("channel", "chat:limits").put("data", data);
  }

  @Test
  @DisplayName("past the message budget: rate_limited with retryAfterMs, shared by the user's connections and REST (429 + Retry-After)")
  void messageBudget() {
    WsClient first = connect(token("alice"));
    WsClient second = connect(token("alice"));
    for (int i = 0; i < BUDGET; i++) {
      (i % 2 == 0 ? first : second).request(message("m" + i), "ack");
    }
    first.send(message("one too many").put("ref", "x"));
    JsonObject error = first.next("error");
    assertError(error, "rate_limited");
    assertEquals("x", error.getString("ref"));
    assertTrue(error.getLong("retryAfterMs") > 0);
    Response rest = request(HttpMethod.POST, "/realtime/messages", token("alice"),
        new JsonObject().put("channel", "chat:limits").put("data", 1).encode());
    assertEquals(429, rest.status());
    assertEquals("rate_limited", rest.errorCode());
    assertNotNull(rest.headers().get("retry-after"));
    assertEquals("pong", connect(token("bob")).request(frame("ping"), "pong").getString("type"), "other users are unaffected");
  }

  @Test
  @DisplayName("a repeated idem uses no budget")
  void idempotentRepeatsAreFree() {
    WsClient alice = connect(token("alice"));
    for (int i = 0; i < BUDGET + 3; i++) {
      alice.request(message("same").put("idem", "k"), "ack");
    }
  }

  @Test
  @DisplayName("repeats of stored idem keys sent in a burst after the budget is spent are all acked as the originals; never closed")
  void idempotentRepeatsAfterTheBudgetIsSpent() {
    WsClient alice = connect(token("alice"));
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < BUDGET; i++) {
      seqs.add(alice.request(message("m" + i).put("idem", "k" + i), "ack").getLong("seq"));
    }
    // A reconnecting client resends what it has no ack for, and then some: 4 x the budget in all.
    for (int i = 0; i < 4 * BUDGET; i++) {
      alice.sendWithoutWaiting(message("m" + (i % BUDGET)).put("idem", "k" + (i % BUDGET)).put("ref", "again" + i));
    }
    for (int i = 0; i < 4 * BUDGET; i++) {
      JsonObject ack = alice.next("ack");
      assertEquals("again" + i, ack.getString("ref"));
      assertEquals(seqs.get(i % BUDGET), ack.getLong("seq"), "the original's seq");
    }
    alice.send(message("new").put("ref", "fresh"));
    JsonObject refused = alice.next("error");
    assertError(refused, "rate_limited"); // the budget really is spent: repeats were free, new messages are not
    assertEquals("fresh", refused.getString("ref"));
    assertEquals("pong", alice.request(frame("ping"), "pong").getString("type"), "still open");
  }

  @Test
  @DisplayName("subscribe and unsubscribe share a per-user budget: rate_limited past it, closed 1008 past twice it")
  void subscribeBudget() {
    WsClient alice = connect(token("alice"));
    for (int i = 0; i < BUDGET; i++) {
      alice.request(i % 2 == 0 ? frame("subscribe").put("channel", "chat:s")
          : frame("unsubscribe").put("channel", "chat:s"), i % 2 == 0 ? "subscribed" : "unsubscribed");
    }
    alice.send(frame("subscribe").put("channel", "chat:other").put("ref", "over"));
    JsonObject refused = alice.next("error");
    assertError(refused, "rate_limited");
    assertEquals("over", refused.getString("ref"));
    assertTrue(refused.getLong("retryAfterMs") > 0);
    for (int i = 0; i < 3 * BUDGET; i++) {
      alice.sendWithoutWaiting(frame("subscribe").put("channel", "chat:flood" + i));
    }
    assertEquals(1008, alice.awaitClose());
  }

  @Test
  @DisplayName("a burst of upgrades never holds more than MAX_CONNECTIONS sessions: the rest are refused with 503")
  void connectionCapUnderABurst() throws Exception {
    int attempts = 20;
    List<Future<Integer>> outcomes = new ArrayList<>();
    List<WebSocketClient> clients = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
          .setURI("/realtime/ws").addHeader("Authorization", "Bearer " + token("burst" + i)).setAllowOriginHeader(false);
      // Handlers before the connect: the first frame comes right behind the 101 (see WsClient).
      io.vertx.core.Promise<Integer> first = io.vertx.core.Promise.promise();
      WebSocketClient client = clientVertx.createWebSocketClient();
      clients.add(client); // held: Vert.x closes a client (and its connections) once it is unreachable
      ClientWebSocket socket = client.webSocket();
      socket.textMessageHandler(text -> first.tryComplete(text.contains("\"connected\"") ? 200 : -2));
      socket.closeHandler(v -> first.tryComplete(-3));
      outcomes.add(socket.connect(options).transform(r -> r.failed()
          ? Future.succeededFuture(r.cause().getMessage().contains("503") ? 503 : -1)
          : first.future()));
    }
    List<Integer> results = Future.all(outcomes).map(all -> all.<Integer>list()).await();
    long accepted = results.stream().filter(r -> r == 200).count();
    assertEquals(4, accepted, "exactly MAX_CONNECTIONS sessions: " + results);
    assertEquals(attempts - 4, results.stream().filter(r -> r == 503).count(), "the others refused with 503: " + results);
    clients.forEach(WebSocketClient::close);
  }

  @Test
  @DisplayName("a client that keeps sending past twice the budget within a minute is closed with 1008")
  void floodingClosesTheConnection() {
    WsClient alice = connect(token("alice"));
    for (int i = 0; i < 3 * BUDGET; i++) {
      alice.sendWithoutWaiting(message("flood " + i)); // the server closes midway: later writes fail, as they should
    }
    assertEquals(1008, alice.awaitClose());
  }

  @Test
  @DisplayName("signals have their own budget")
  void signalBudget() throws InterruptedException {
    WsClient bob = connect(token("bob"));
    awaitConnections("bob", 1);
    WsClient alice = connect(token("alice"));
    alice.request(message("a message does not spend signals"), "ack");
    for (int i = 0; i < BUDGET; i++) {
      alice.send(frame("signal").put("to", "bob").put("signal", "ice").put("payload", i));
      assertEquals("signal", bob.next("signal").getString("type"));
    }
    alice.send(frame("signal").put("to", "bob").put("signal", "ice").put("payload", "over"));
    assertError(alice.next("error"), "rate_limited");
  }

  @Test
  @DisplayName("over MAX_CONNECTIONS the upgrade, the SSE stream and the poll are refused with 503 and Retry-After")
  void connectionCap() {
    for (int i = 0; i < 4; i++) {
      connect(token("user" + i));
    }
    Response upgrade = RawHttp.once(port(), "GET", "/realtime/ws", Map.of("Upgrade", "websocket", "Connection", "Upgrade",
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13",
        "Authorization", "Bearer " + token("late")), null);
    assertEquals(503, upgrade.status());
    assertNotNull(upgrade.headers().get("retry-after"));
    assertEquals(503, request(HttpMethod.GET, "/realtime/events?token=" + token("late"), null, null).status());
    Response poll = request(HttpMethod.GET, "/realtime/poll", token("late"), null);
    assertEquals(503, poll.status());
    assertNotNull(poll.headers().get("retry-after"));
  }

  @Test
  @DisplayName("a browser Origin not in ALLOWED_ORIGINS is refused with 403; a listed one and none at all connect; CORS follows the list")
  void origins() {
    WebSocketConnectOptions bad = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port()).setURI("/realtime/ws")
        .addHeader("Origin", "https://evil.example.com").addHeader("Authorization", "Bearer " + token("alice"));
    // The client is held in a variable until its connect is over: Vert.x closes an unreachable client.
    WebSocketClient client = clientVertx.createWebSocketClient();
    Throwable refused = client.connect(bad).transform(r -> Future.succeededFuture(r.cause())).await();
    assertNotNull(refused, "the upgrade must fail");
    assertTrue(refused.getMessage().contains("403"), refused.getMessage());
    WebSocketConnectOptions good = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port()).setURI("/realtime/ws")
        .addHeader("Origin", "https://app.example.com").addHeader("Authorization", "Bearer " + token("alice"));
    assertTrue(client.connect(good).await() != null);
    client.close();
    Response health = RawHttp.once(port(), "GET", "/health", Map.of("Origin", "https://app.example.com"), null);
    assertEquals("https://app.example.com", health.headers().get("access-control-allow-origin"));
  }

  @Test
  @DisplayName("a client that stops reading is closed with 1013 while a healthy one gets every message in order")
  void slowConsumer() throws Exception {
    WsClient healthy = connect(token("healthy"));
    healthy.subscribe("post:flood");
    try (RawWebSocket slow = new RawWebSocket(port(), "/realtime/ws?token=" + token("slow"), 2048)) {
      slow.readUntil(RawWebSocket.TEXT); // connected
      slow.sendText("{\"type\":\"subscribe\",\"channel\":\"post:flood\"}");
      while (!slow.readUntil(RawWebSocket.TEXT).text().contains("subscribed")) {
        // unread_count comes first
      }
      // From here the slow client reads nothing while about 4 MB are published.
      int total = 2000;
      String padding = "x".repeat(2000);
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 1; i <= total; i++) {
        sent.add(node.vertx().eventBus().request(Addresses.PUBLISH,
            new JsonObject().put("channel", "post:flood").put("data", new JsonObject().put("n", i).put("pad", padding))
                .put("from", "service:test")));
      }
      Future.all(sent).await();
      for (int i = 1; i <= total; i++) {
        assertEquals(i, healthy.next("message").getJsonObject("data").getInteger("n"), "complete and in order");
      }
      long closes = 0;
      for (int i = 0; i < 500 && closes == 0; i++) {
        closes = request(HttpMethod.GET, "/realtime/stats", token("ops", "service"), null).json().getLong("slow_consumer_closes");
        if (closes == 0) {
          Thread.sleep(20);
        }
      }
      assertEquals(1, closes, "the slow consumer was counted");
      assertEquals(1013, slow.readUntil(RawWebSocket.CLOSE).closeCode(), "queued data, then the 1013 close");
    }
  }
}
