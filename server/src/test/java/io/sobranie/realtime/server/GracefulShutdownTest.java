package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SIGTERM to a real server process: health drains, every client is sent away properly, the process exits in time. */
class GracefulShutdownTest {
  private Vertx clients;
  private NodeProcess server;

  @BeforeEach
  void setUp() throws Exception {
    clients = Vertx.vertx();
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET", ServerTestBase.SECRET);
    env.put("HTTP_PORT", "0");
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("SHUTDOWN_DRAIN_MS", "1500");
    env.put("SHUTDOWN_DEADLINE_MS", "8000");
    env.put("HEARTBEAT_MS", "2000");
    server = NodeProcess.start(env);
  }

  @AfterEach
  void tearDown() {
    server.close();
    clients.close().await();
  }

  @Test
  @DisplayName("on SIGTERM: /health says 503, WebSockets get reconnect then 1001, SSE reconnect then end, polls are answered")
  void sigtermIsGraceful() throws Exception {
    int port = server.port();
    WsClient ws = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    SseClient sse = SseClient.open(clients, port, "token=" + ServerTestBase.token("bob"), null);
    sse.opening();
    // Twelve held polls, each on a connection of its own.
    HttpClient http = clients.createHttpClient(new PoolOptions().setHttp1MaxSize(20));
    String cursor = poll(http, port, null).getString("cursor");
    List<CompletableFuture<JsonObject>> held = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      held.add(CompletableFuture.supplyAsync(() -> poll(http, port, cursor), OwnThreads.EACH));
    }
    Thread.sleep(300); // all of them are held

    long started = System.nanoTime();
    CompletableFuture<Boolean> exited = CompletableFuture.supplyAsync(() -> {
      try {
        return server.terminate(30);
      } catch (Exception e) {
        return false;
      }
    }, OwnThreads.EACH);
    boolean sawDraining = false;
    for (int i = 0; i < 100 && !sawDraining; i++) {
      int status = http.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/health"))
          .compose(r -> r.send()).map(r -> r.statusCode()).await();
      sawDraining = status == 503;
      if (!sawDraining) {
        Thread.sleep(20);
      }
    }
    assertTrue(sawDraining, () -> "health answers 503 while draining; the node said:\n" + server.output());

    JsonObject reconnect = ws.next("reconnect");
    assertTrue(reconnect.getLong("afterMs") >= 0);
    assertEquals(1001, ws.awaitClose());
    assertTrue(sse.next("reconnect").json().getLong("afterMs") >= 0);
    assertTrue(sse.awaitEnd(), "the SSE stream ends");
    for (CompletableFuture<JsonObject> poll : held) {
      JsonObject answer = poll.get(10, TimeUnit.SECONDS);
      assertEquals(0, answer.getJsonArray("events").size(), "answered with what it had: nothing");
      assertEquals(seqs(cursor), seqs(answer.getString("cursor")), "and its place, to poll another node from");
    }
    assertTrue(exited.get(), "the process exited");
    for (int i = 0; i < 100 && !server.output().contains("SIGTERM: shutting down gracefully"); i++) {
      Thread.sleep(50); // the output reader may trail the exit
    }
    assertTrue(server.output().contains("SIGTERM: shutting down gracefully"), "the shutdown is logged:\n" + server.output());
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(tookMs < 8000 + 5000, "within the shutdown deadline, took " + tookMs + " ms");
  }

  /** The seq of each stream an opaque poll cursor holds (it is base64url JSON: stream → [seq, epoch]). */
  private static Map<String, Object> seqs(String cursor) {
    JsonObject positions = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8));
    Map<String, Object> seqs = new HashMap<>();
    positions.forEach(entry -> seqs.put(entry.getKey(), ((io.vertx.core.json.JsonArray) entry.getValue()).getValue(0)));
    return seqs;
  }

  private static JsonObject poll(HttpClient http, int port, String cursor) {
    String uri = "/realtime/poll?timeoutMs=20000" + (cursor == null ? "" : "&cursor=" + cursor);
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(uri)
            .addHeader("Authorization", "Bearer " + ServerTestBase.token("carol")))
        .compose(r -> r.send()).compose(r -> {
          if (r.statusCode() != 200) {
            throw new AssertionError("poll answered " + r.statusCode());
          }
          return r.body();
        }).map(JsonObject::new).await();
  }
}
