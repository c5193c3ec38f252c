package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} and {@code GET /realtime/stats} of a real server process (metrics on, as in
 * production), one process for the class: tests that count compare readings before and after
 * their own traffic.
 */
class MetricsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private static NodeProcess server;
  private static Vertx clients;
  private static int port;

  @BeforeAll
  static void startServer() throws Exception {
    server = NodeProcess.start(Map.of("JWT_SECRET", ServerTestBase.SECRET, "HTTP_PORT", "0",
        "HTTP_HOST", "127.0.0.1", "NODE_ID", "metrics-node", "MESSAGES_PER_MINUTE", "100000"));
    port = server.port();
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stopServer() {
    if (clients != null) {
      clients.close().await();
    }
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> get(String path, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String metrics() throws Exception {
    HttpResponse<String> response = get("/metrics", null);
    assertEquals(200, response.statusCode());
    return response.body();
  }

  /** One sample line of the Prometheus text format. */
  private record Sample(String name, Map<String, String> labels, double value) {
  }

  private static List<Sample> samples(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.find()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher label = LABEL.matcher(m.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      String value = m.group(3);
      samples.add(new Sample(m.group(1), labels, value.equals("+Inf") ? Double.POSITIVE_INFINITY
          : value.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(value)));
    }
    return samples;
  }

  /** The value of the one sample of {@code name} with these labels (and any others); fails when there is none. */
  private static double value(String text, String name, String... labelPairs) {
    for (Sample sample : samples(text)) {
      if (sample.name().equals(name) && hasLabels(sample, labelPairs)) {
        return sample.value();
      }
    }
    return fail("no sample " + name + " " + String.join(",", labelPairs) + " in:\n" + text);
  }

  /** Waits (at most 10 s) until {@code condition} holds: the server counts a close after the client sees it. */
  private static void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        fail("not within 10 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static boolean hasLabels(Sample sample, String... labelPairs) {
    for (int i = 0; i < labelPairs.length; i += 2) {
      if (!labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]))) {
        return false;
      }
    }
    return true;
  }

  @Test
  @DisplayName("Prometheus text with connections by transport, connect outcomes, frames, and Vert.x/JVM meters; stats for services only")
  void metricsAndStats() throws Exception {
    await("no session left by other tests", () -> stats().getInteger("websocket_count") == 0);
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    try {
      long messagesBefore = stats().getLong("messages_in");
      alice.subscribe("chat:m");
      alice.publish("chat:m", "hello");
      WsClient.open(clients, port, "token=bad", null).awaitClose();

      String text = metrics();
      assertEquals(1, value(text, "realtime_connections", "transport", "websocket"), text);
      assertTrue(value(text, "realtime_connects_total", "transport", "websocket", "outcome", "accepted") >= 1, text);
      assertTrue(value(text, "realtime_connects_total", "transport", "websocket", "outcome", "unauthorized") >= 1, text);
      assertTrue(value(text, "realtime_frames_in_total", "type", "message") >= 1, text);
      assertTrue(text.contains("realtime_delivery_latency_seconds_bucket"), text);
      assertTrue(text.contains("vertx_"), "Vert.x meters are there too");
      assertTrue(text.contains("jvm_memory_used_bytes"), "and JVM meters");

      assertEquals(403, get("/realtime/stats", ServerTestBase.token("alice")).statusCode());
      JsonObject body = stats();
      assertEquals("metrics-node", body.getString("node"));
      assertEquals(1, body.getInteger("websocket_count"));
      assertEquals(0, body.getInteger("sse_count"));
      assertEquals(messagesBefore + 1, body.getLong("messages_in"));
      assertTrue(body.getLong("messages_out") >= 3, "connected, unread_count, subscribed, ack, message were written");
      assertEquals(1, body.getInteger("users_online"));
      assertEquals(1, body.getInteger("cluster_nodes"));
    } finally {
      alice.close();
    }
  }

  private static JsonObject stats() throws Exception {
    HttpResponse<String> stats = get("/realtime/stats", ServerTestBase.token("ops", "service"));
    assertEquals(200, stats.statusCode(), stats.body());
    return new JsonObject(stats.body());
  }

  /**
   * Timing-free: an observation above 10 ms adds more than 0.01 to {@code _sum}, so at most
   * {@code sum / 0.01} of them lie above the {@code le="0.01"} bucket; every other one must be in
   * it. Buckets that round values up (a DistributionSummary fed seconds put 0.002 in
   * {@code le="1.0"}) break this as soon as one local delivery takes a millisecond or more.
   */
  @Test
  @DisplayName("Local deliveries land in the latency buckets of 10 ms and below, not in le=1.0")
  void latencyBucketsResolveMilliseconds() throws Exception {
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    try {
      alice.subscribe("chat:latency");
      String before = metrics();
      int messages = 20;
      for (int i = 0; i < messages; i++) {
        alice.publish("chat:latency", i);
        alice.next("message"); // recorded by the hub before it hands the message to the connection
      }
      String after = metrics();
      double count = value(after, "realtime_delivery_latency_seconds_count") - value(before, "realtime_delivery_latency_seconds_count");
      double sum = value(after, "realtime_delivery_latency_seconds_sum") - value(before, "realtime_delivery_latency_seconds_sum");
      double fast = value(after, "realtime_delivery_latency_seconds_bucket", "le", "0.01")
          - value(before, "realtime_delivery_latency_seconds_bucket", "le", "0.01");
      String histogram = after.lines().filter(l -> l.startsWith("realtime_delivery_latency_seconds")).reduce("", (a, b) -> a + b + "\n");
      assertEquals(messages, count, 0.0, histogram);
      assertTrue(fast > 0, "local deliveries take milliseconds:\n" + histogram);
      double slowAtMost = Math.floor(sum / 0.01 + 1e-9);
      assertTrue(fast >= count - slowAtMost, "every observation of 10 ms or less is in le=0.01 (sum " + sum + " s):\n" + histogram);
    } finally {
      alice.close();
    }
  }

  @Test
  @DisplayName("Every realtime meter has a HELP text and no node label (instance names the node)")
  void helpTextsAndNoNodeLabel() throws Exception {
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    try {
      alice.subscribe("chat:help");
      alice.publish("chat:help", "so that every meter exists");
      WsClient.open(clients, port, "token=bad", null).awaitClose();
      String text = metrics();
      Map<String, String> help = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("# HELP realtime_")) {
          String[] parts = line.substring("# HELP ".length()).split(" ", 2);
          help.put(parts[0], parts.length > 1 ? parts[1].trim() : "");
        }
      }
      List<Sample> realtime = samples(text).stream().filter(s -> s.name().startsWith("realtime_")).toList();
      assertTrue(realtime.size() > 10, text);
      for (Sample sample : realtime) {
        String family = help.keySet().stream().filter(sample.name()::startsWith).max(java.util.Comparator.comparingInt(String::length))
            .orElseGet(() -> fail("no # HELP for " + sample.name() + ":\n" + text));
        assertTrue(!help.get(family).isEmpty(), "empty # HELP for " + family);
        assertTrue(!sample.labels().containsKey("node"), sample + " has a node label");
      }
      assertTrue(!text.contains("metrics-node"), "NODE_ID is in logs and stats, not in metrics");
    } finally {
      alice.close();
    }
  }
}
