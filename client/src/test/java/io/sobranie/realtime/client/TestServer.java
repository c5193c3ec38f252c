package io.sobranie.realtime.client;

import io.sobranie.realtime.common.auth.DevTokens;
import io.sobranie.realtime.common.config.ConfigLoader;
import io.sobranie.realtime.server.RealtimeNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real node (every role) on 127.0.0.1, started in this JVM the way the server's own tests and
 * {@code Main} start it; {@link #restart()} starts a fresh node on the same port.
 */
final class TestServer implements AutoCloseable {
  static final String SECRET = "test-secret-0123456789-abcdefghijklmnop";

  private final Map<String, String> settings;
  private RealtimeNode node;

  private TestServer(Map<String, String> settings, RealtimeNode node) {
    this.settings = settings;
    this.node = node;
  }

  /** A node with the test defaults plus {@code extra} (e.g. REDIS_URL). */
  static TestServer start(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET", SECRET);
    env.put("HTTP_PORT", "0");
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("NODE_ID", "client-test");
    env.put("MESSAGES_PER_MINUTE", "100000");
    env.put("SIGNALS_PER_MINUTE", "100000");
    env.put("SHUTDOWN_DRAIN_MS", "0"); // no load balancer to wait for
    env.putAll(extra);
    return new TestServer(env, startNode(env));
  }

  static TestServer start() {
    return start(Map.of());
  }

  private static RealtimeNode startNode(Map<String, String> env) {
    return await(RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(env)));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the node did not start or stop within 30 s", e);
    }
  }

  /** Stops this node gracefully (its clients are told to reconnect), then starts a new one on the same port. */
  void restart() {
    int port = port();
    stop();
    Map<String, String> env = new HashMap<>(settings);
    env.put("HTTP_PORT", String.valueOf(port));
    node = startNode(env);
  }

  /** The SIGTERM path: the gateway sends its clients away, then the node closes. */
  void stop() {
    await(node.shutdown());
  }

  int port() {
    return node.port();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port());
  }

  RealtimeNode node() {
    return node;
  }

  /** Waits (bounded) until the node counts exactly {@code expected} connections of {@code user}. */
  void awaitConnections(String user, int expected) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      if (await(node.store().presence().connectionCount(user)) == expected) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the node never counted " + expected + " connections of " + user);
  }

  static String token(String user, String... roles) {
    return DevTokens.mint(SECRET, user, 3600, List.of(roles));
  }

  /** A client of this server for {@code user} with a fixed token and quick reconnects. */
  RealtimeClient.Builder client(String user) {
    return client(url(), user);
  }

  static RealtimeClient.Builder client(URI url, String user) {
    return RealtimeClient.builder(url).token(token(user)).reconnect(new Backoff(50, 500, 2, 0.5));
  }

  ServiceClient service() {
    return ServiceClient.create(url(), TokenSupplier.fixed(token("platform", "service")));
  }

  @Override
  public void close() {
    stop();
  }
}
