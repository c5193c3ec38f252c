package io.sobranie.realtime.server;

import io.sobranie.realtime.common.auth.DevTokens;
import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Starts a real node (every role, embedded store, random port on 127.0.0.1) before each test,
 * exactly as {@link Main} does, and gives tests real clients for it.
 */
abstract class ServerTestBase {
  static final String SECRET = "test-secret-0123456789-abcdefghijklmnop";

  protected RealtimeNode node;
  protected Vertx clientVertx;
  private final List<WsClient> clients = new ArrayList<>();
  private final List<SseClient> sseClients = new ArrayList<>();

  /** Settings on top of the test defaults; override to change them for a test class. */
  protected Map<String, String> settings() {
    return Map.of();
  }

  @BeforeEach
  void startNode() {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET", SECRET);
    env.put("HTTP_PORT", "0");
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("NODE_ID", "test-node");
    // Tests publish in bursts; the rate-limit tests set their own budgets.
    env.put("MESSAGES_PER_MINUTE", "100000");
    env.put("SIGNALS_PER_MINUTE", "100000");
    // The node closes a kept-alive connection HEADER_TIMEOUT_MS after a response; a client reusing
    // one at that moment races the close. Longer than any test here; the slow-client tests set their own.
    env.put("HEADER_TIMEOUT_MS", "60000");
    env.putAll(settings());
    var config = ConfigLoader.load(env);
    // A plain Vert.x: with Micrometer metrics in this JVM, Vert.x HTTP clients here saw "Connection evicted"
    // hangs (TOOLCHAIN.md); MetricsTest covers metrics on a real server process instead.
    node = RealtimeNode.start(Vertx.vertx(), config).await();
    clientVertx = Vertx.vertx();
  }

  @AfterEach
  void stopNode() {
    clients.forEach(WsClient::close);
    sseClients.forEach(SseClient::close);
    clientVertx.close().await();
    node.close().await();
  }

  protected int port() {
    return node.port();
  }

  static String token(String user, String... roles) {
    return DevTokens.mint(SECRET, user, 3600, List.of(roles));
  }

  static String tokenWithCircles(String user, String... circles) {
    long now = System.currentTimeMillis() / 1000;
    return DevTokens.sign(SECRET, new JsonObject().put("sub", user).put("exp", now + 3600)
        .put("circles", new JsonArray(List.of((Object[]) circles))));
  }

  /** A connected client (its {@code connected} frame consumed), closed after the test. */
  protected WsClient connect(String token) {
    WsClient client = WsClient.connect(clientVertx, port(), token);
    clients.add(client);
    return client;
  }

  /** A client opened with the given query and header, nothing consumed, closed after the test. */
  protected WsClient open(String query, String bearer) {
    WsClient client = WsClient.open(clientVertx, port(), query, bearer);
    clients.add(client);
    return client;
  }

  /** Waits (bounded) until presence counts exactly {@code expected} connections of the user: reports are asynchronous. */
  protected void awaitConnections(String user, int expected) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      if (node.store().presence().connectionCount(user).await() == expected) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("presence never counted " + expected + " connections of " + user);
  }

  /** An SSE stream, closed after the test. */
  protected SseClient sse(String query, String lastEventId) {
    SseClient client = SseClient.open(clientVertx, port(), query, lastEventId);
    sseClients.add(client);
    return client;
  }

  /**
   * A service publishes a notification for {@code user} through {@code POST /realtime/send}; answers
   * {id, seq}. Its token is signed with the node's secret (made up, when DEV_MODE runs without one).
   */
  protected JsonObject notify(String user, String kind, Object data) {
    String service = DevTokens.mint(node.config().jwtSecret(), "notifier", 3600, List.of("service"));
    Response response = request(HttpMethod.POST, "/realtime/send", service,
        new JsonObject().put("userId", user).put("kind", kind).put("data", data).encode());
    if (response.status() != 202) {
      throw new AssertionError("send failed: " + response.status() + " " + response.body());
    }
    return response.json();
  }

  record Response(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }

  /**
   * A request on the JDK's HTTP client ({@link HttpCalls}; Vert.x 5.0.10's client now and then
   * left a kept-alive request without an answer, here and in CI), answered within 10 s or failed:
   * never sent twice, so a POST is carried out once.
   */
  protected Response request(HttpMethod method, String uri, String bearer, String body) {
    return HttpCalls.request(port(), method, uri, bearer, body);
  }

  static JsonObject frame(String type) {
    return new JsonObject().put("type", type);
  }

  static Set<String> set(String... values) {
    return Set.of(values);
  }
}
