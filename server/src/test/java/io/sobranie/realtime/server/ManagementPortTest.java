package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A node without the gateway role is probed and scraped on MANAGEMENT_PORT like a gateway node (a real process). */
class ManagementPortTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final Pattern MANAGEMENT = Pattern.compile("management \\(health, metrics\\) on port (\\d+)");

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("a chat/presence/notification node serves /health, /health/live and /metrics on MANAGEMENT_PORT, and nothing else")
  void serviceNodeIsProbedAndScraped() throws Exception {
    try (NodeProcess node = NodeProcess.start(Map.of("JWT_SECRET", ServerTestBase.SECRET, "HTTP_HOST", "127.0.0.1",
        "ROLES", "chat,presence,notification", "MANAGEMENT_PORT", "0", "NODE_ID", "service-node"))) {
      assertEquals(-1, node.port(), "no gateway");
      Integer port = null;
      for (int i = 0; i < 200 && port == null; i++) {
        Matcher m = MANAGEMENT.matcher(node.output());
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        } else {
          Thread.sleep(25);
        }
      }
      assertTrue(port != null, "the management port is printed:\n" + node.output());
      HttpResponse<String> ready = get(port, "/health");
      assertEquals(200, ready.statusCode(), ready.body());
      JsonObject health = new JsonObject(ready.body());
      assertEquals("UP", health.getString("status"));
      assertEquals("service-node", health.getString("node"));
      assertEquals("store", health.getJsonArray("checks").getJsonObject(0).getString("id"));
      HttpResponse<String> live = get(port, "/health/live");
      assertEquals(200, live.statusCode(), live.body());
      assertEquals("event-loops", new JsonObject(live.body()).getJsonArray("checks").getJsonObject(0).getString("id"));
      HttpResponse<String> metrics = get(port, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM meters");
      assertTrue(metrics.body().contains("vertx_http_server_active_connections"), "Vert.x's HTTP server meters");
      assertFalse(metrics.body().contains("vertx_eventbus_"), "no event-bus meters: they tag every message");
      assertEquals(404, get(port, "/realtime/ws").statusCode(), "no client endpoint on the management port");
    }
  }
}
