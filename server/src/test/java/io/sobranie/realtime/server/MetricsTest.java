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

  private static HttpResponse<String> post(String path, String bearer, JsonObject body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
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

  /** The WebSocket path leaves Vert.x's HTTP connection behind its own handler only to be told of the close. */
  @Test
  @DisplayName("Vert.x's connection gauge counts WebSockets while they are open and not after they close")
  void connectionGaugeFollowsWebSockets() throws Exception {
    double before = sum(metrics(), "vertx_http_server_active_connections");
    List<WsClient> sockets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sockets.add(WsClient.connect(clients, port, ServerTestBase.token("gauge-" + i)));
    }
    await("3 more connections", () -> sum(metrics(), "vertx_http_server_active_connections") == before + 3);
    sockets.forEach(WsClient::close);
    await("back to " + before, () -> sum(metrics(), "vertx_http_server_active_connections") == before);
  }

  private static double sum(String text, String name) {
    return samples(text).stream().filter(sample -> sample.name().equals(name)).mapToDouble(Sample::value).sum();
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

  private static double delta(String before, String after, String name, String... labelPairs) {
    return value(after, name, labelPairs) - value(before, name, labelPairs);
  }

  @Test
  @DisplayName("Messages are counted on every path (WebSocket text and binary, REST, service publish and broadcast); stats agree")
  void messagesOnEveryPath() throws Exception {
    String service = ServerTestBase.token("feed", "service");
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    try {
      alice.subscribe("chat:paths");
      String before = metrics();
      long statsBefore = stats().getLong("messages_in");

      alice.publish("chat:paths", "over the socket");
      JsonObject rest = new JsonObject().put("channel", "chat:paths").put("data", "over REST").put("idem", "once");
      assertEquals(200, post("/realtime/messages", ServerTestBase.token("alice"), rest).statusCode());
      assertEquals(200, post("/realtime/messages", ServerTestBase.token("alice"), rest).statusCode(), "a repeat: acked, not a new message");
      assertEquals(200, post("/realtime/publish", service, new JsonObject().put("channel", "chat:paths").put("data", 1)).statusCode());
      assertEquals(202, post("/realtime/broadcast", service, new JsonObject().put("kind", "news").put("data", 2)).statusCode());
      JsonObject header = new JsonObject().put("channel", "chat:paths").put("contentType", "application/octet-stream").put("ref", "b");
      alice.sendBinary(io.vertx.core.buffer.Buffer.buffer().appendInt(header.toBuffer().length()).appendBuffer(header.toBuffer())
          .appendBytes(new byte[] {1, 2, 3}));
      assertEquals("b", alice.next("ack").getString("ref"));

      String after = metrics();
      for (String path : List.of("websocket", "rest", "service_publish", "service_broadcast", "websocket_binary")) {
        assertEquals(1, delta(before, after, "realtime_messages_in_total", "path", path), 0.0, path + ":\n" + after);
      }
      double total = samples(after).stream().filter(s -> s.name().equals("realtime_messages_in_total")).mapToDouble(Sample::value).sum();
      JsonObject stats = stats();
      assertEquals(statsBefore + 5, stats.getLong("messages_in"));
      assertEquals(total, stats.getLong("messages_in"), 0.0, "stats' messages_in is the sum over paths");
    } finally {
      alice.close();
    }
  }

  @Test
  @DisplayName("Errors sent to clients are counted by wire code: WebSocket error frames and REST error bodies")
  void errorsByCode() throws Exception {
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    try {
      String before = metrics();
      alice.send(new JsonObject().put("type", "no such type").put("ref", "u"));
      WsClient.assertError(alice.next(), "unknown_type");
      assertEquals(403, get("/realtime/stats", ServerTestBase.token("alice")).statusCode());
      assertEquals(404, get("/realtime/no-such-endpoint", null).statusCode());
      assertEquals(400, post("/realtime/messages", ServerTestBase.token("alice"), new JsonObject().put("channel", "bad channel")).statusCode());
      String after = metrics();
      assertEquals(1, delta(before, after, "realtime_errors_total", "code", "unknown_type"), 0.0, after);
      assertEquals(1, delta(before, after, "realtime_errors_total", "code", "forbidden"), 0.0, after);
      assertEquals(1, delta(before, after, "realtime_errors_total", "code", "not_found"), 0.0, after);
      assertEquals(1, delta(before, after, "realtime_errors_total", "code", "bad_request"), 0.0, after);
      assertEquals(0, delta(before, after, "realtime_errors_total", "code", "internal"), 0.0, after);
      assertTrue(samples(after).stream().filter(s -> s.name().equals("realtime_errors_total"))
          .allMatch(s -> s.labels().keySet().equals(java.util.Set.of("code"))), "one label: the wire code");
      assertEquals(10, samples(after).stream().filter(s -> s.name().equals("realtime_errors_total")).count(),
          "every code of the protocol has its series from the start, none is minted by a client");
    } finally {
      alice.close();
    }
  }

  @Test
  @DisplayName("Resumed streams are counted by outcome: a subscribe with since, and a poll with a cursor")
  void recoveriesByOutcome() throws Exception {
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    WsClient bob = WsClient.connect(clients, port, ServerTestBase.token("bob"));
    try {
      for (int i = 0; i < 3; i++) {
        alice.publish("chat:resume", i);
      }
      String before = metrics();
      JsonObject recovered = bob.request(new JsonObject().put("type", "subscribe").put("channel", "chat:resume").put("since", 1), "subscribed");
      assertEquals(true, recovered.getBoolean("recovered"));
      JsonObject lost = bob.request(new JsonObject().put("type", "subscribe").put("channel", "chat:empty").put("since", 5), "subscribed");
      assertEquals(false, lost.getBoolean("recovered"));
      bob.subscribe("chat:plain"); // no since: not a resume
      String after = metrics();
      assertEquals(1, delta(before, after, "realtime_recoveries_total", "transport", "websocket", "recovered", "true"), 0.0, after);
      assertEquals(1, delta(before, after, "realtime_recoveries_total", "transport", "websocket", "recovered", "false"), 0.0, after);

      String pollBefore = metrics();
      String cursor = java.util.Base64.getUrlEncoder().encodeToString(
          new JsonObject().put("chat:empty", new io.vertx.core.json.JsonArray().add(5).add("no-such-epoch")).toBuffer().getBytes());
      HttpResponse<String> poll = get("/realtime/poll?timeoutMs=5000&channels=chat:empty&cursor=" + cursor, ServerTestBase.token("carol"));
      assertEquals(200, poll.statusCode(), poll.body());
      assertEquals(false, new JsonObject(poll.body()).getBoolean("recovered"), poll.body());
      String pollAfter = metrics();
      assertEquals(1, delta(pollBefore, pollAfter, "realtime_recoveries_total", "transport", "poll", "recovered", "false"), 0.0, pollAfter);
    } finally {
      alice.close();
      bob.close();
    }
  }

  @Test
  @DisplayName("Channel subscriptions and users online are gauges of this node")
  void subscriptionsAndUsersOnline() throws Exception {
    await("no session left by other tests", () -> value(metrics(), "realtime_users_online") == 0
        && value(metrics(), "realtime_subscriptions") == 0);
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    WsClient alice2 = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    WsClient bob = WsClient.connect(clients, port, ServerTestBase.token("bob"));
    try {
      alice.subscribe("chat:g1");
      alice.subscribe("chat:g2");
      bob.subscribe("chat:g1");
      String text = metrics();
      assertEquals(3, value(text, "realtime_subscriptions"), 0.0, "channels only, not each session's notifications and broadcast");
      assertEquals(2, value(text, "realtime_users_online"), 0.0, text);
      assertEquals(2, stats().getInteger("users_online"));

      bob.request(new JsonObject().put("type", "unsubscribe").put("channel", "chat:g1"), "unsubscribed");
      assertEquals(2, value(metrics(), "realtime_subscriptions"), 0.0);
      bob.close();
      alice.close();
      await("bob's and one of alice's sessions closed", () -> value(metrics(), "realtime_users_online") == 1
          && value(metrics(), "realtime_subscriptions") == 0);
    } finally {
      alice.close();
      alice2.close();
      bob.close();
    }
  }

  @Test
  @DisplayName("Start-up and traffic log no 'Gauge has been already registered' warning")
  void noGaugeReRegistrationWarning() throws Exception {
    // More of what registers Vert.x's gauges again: connections, event-bus consumers, messages.
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    WsClient bob = WsClient.connect(clients, port, ServerTestBase.token("bob"));
    try {
      alice.subscribe("chat:warn");
      bob.subscribe("chat:warn");
      alice.publish("chat:warn", "hello");
      bob.next("message");
      metrics();
    } finally {
      alice.close();
      bob.close();
    }
    String output = server.output();
    assertTrue(output.contains("listening on port"), "the node's output is read: " + output);
    assertTrue(!output.contains("has been already registered"), output);
  }
}
