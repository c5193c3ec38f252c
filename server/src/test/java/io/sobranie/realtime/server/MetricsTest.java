package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} and {@code GET /realtime/stats} of a real server process (metrics on, as in production). */
class MetricsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static HttpResponse<String> get(int port, String path, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("Prometheus text with connections by transport, connect outcomes, frames, and Vert.x/JVM meters; stats for services only")
  void metricsAndStats() throws Exception {
    Vertx clients = Vertx.vertx();
    try (NodeProcess server = NodeProcess.start(Map.of("JWT_SECRET", ServerTestBase.SECRET, "HTTP_PORT", "0",
        "HTTP_HOST", "127.0.0.1", "NODE_ID", "metrics-node"))) {
      int port = server.port();
      WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
      alice.subscribe("chat:m");
      alice.publish("chat:m", "hello");
      WsClient.open(clients, port, "token=bad", null).awaitClose();

      HttpResponse<String> metrics = get(port, "/metrics", null);
      assertEquals(200, metrics.statusCode());
      String text = metrics.body();
      assertTrue(text.contains("realtime_connections{node=\"metrics-node\",transport=\"websocket\"} 1.0"), text);
      assertTrue(text.contains("realtime_connects_total{node=\"metrics-node\",outcome=\"accepted\",transport=\"websocket\"}"), text);
      assertTrue(text.contains("realtime_connects_total{node=\"metrics-node\",outcome=\"unauthorized\",transport=\"websocket\"}"), text);
      assertTrue(text.contains("realtime_frames_in_total{node=\"metrics-node\",type=\"message\"} 1.0"), text);
      assertTrue(text.contains("realtime_delivery_latency_seconds_bucket"), text);
      assertTrue(text.contains("vertx_"), "Vert.x meters are there too");
      assertTrue(text.contains("jvm_memory_used_bytes"), "and JVM meters");

      assertEquals(403, get(port, "/realtime/stats", ServerTestBase.token("alice")).statusCode());
      HttpResponse<String> stats = get(port, "/realtime/stats", ServerTestBase.token("ops", "service"));
      assertEquals(200, stats.statusCode());
      JsonObject body = new JsonObject(stats.body());
      assertEquals("metrics-node", body.getString("node"));
      assertEquals(1, body.getInteger("websocket_count"));
      assertEquals(0, body.getInteger("sse_count"));
      assertEquals(1, body.getLong("messages_in"));
      assertTrue(body.getLong("messages_out") >= 3, "connected, unread_count, subscribed, ack, message were written");
      assertEquals(1, body.getInteger("users_online"));
      assertEquals(1, body.getInteger("cluster_nodes"));
      alice.close();
    } finally {
      clients.close().await();
    }
  }
}
