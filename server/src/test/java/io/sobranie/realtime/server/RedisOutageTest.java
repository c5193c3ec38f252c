package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Redis goes away and comes back (a Redis server of the test's own, on its own port): health
 * says 503 and clients get {@code unavailable} instead of silent loss; service resumes after.
 */
class RedisOutageTest {
  private Process redis;
  private RealtimeNode node;
  private Vertx clients;

  private static Process startRedis(int port, String... options) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
    command.addAll(List.of(options));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 200; i++) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        return process;
      } catch (java.io.IOException notYet) {
        Thread.sleep(20);
      }
    }
    throw new AssertionError("redis-server did not start on port " + port);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (clients != null) {
      clients.close().await();
    }
    if (node != null) {
      node.close().await();
    }
    if (redis != null) {
      redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private int health(int port) {
    return status(port, "/health");
  }

  private int status(int port, String path) {
    return clients.createHttpClient().request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(path)
        .setTimeout(10_000)).compose(r -> r.send()).map(r -> r.statusCode()).await();
  }

  @Test
  @DisplayName("while Redis is down: /health 503 and messages answered 'unavailable'; when it is back, service resumes")
  void redisOutage() throws Exception {
    int redisPort = NodeProcess.freePort();
    redis = startRedis(redisPort);
    node = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(Map.of("JWT_SECRET", ServerTestBase.SECRET, "HTTP_PORT", "0",
        "HTTP_HOST", "127.0.0.1", "REDIS_URL", "redis://127.0.0.1:" + redisPort))).await();
    clients = Vertx.vertx();
    int port = node.port();
    WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
    assertEquals(1, alice.publish("chat:r", "before").getLong("seq"));
    assertEquals(200, health(port));

    redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    boolean down = false;
    for (int i = 0; i < 200 && !down; i++) {
      down = health(port) == 503;
      if (!down) {
        Thread.sleep(50);
      }
    }
    assertTrue(down, "health answers 503 while the store does not");
    assertEquals(200, status(port, "/health/live"), "liveness does not depend on the store: pods are not restarted");
    alice.send(new JsonObject().put("type", "message").put("channel", "chat:r").put("data", "during").put("ref", "d"));
    JsonObject refused = alice.next("error");
    assertEquals("unavailable", refused.getString("code"));
    assertEquals("d", refused.getString("ref"));

    redis = startRedis(redisPort);
    boolean back = false;
    for (int i = 0; i < 200 && !back; i++) {
      back = health(port) == 200;
      if (!back) {
        Thread.sleep(50);
      }
    }
    assertTrue(back, "health is 200 again once Redis answers");
    JsonObject ack = null;
    for (int i = 0; i < 50 && ack == null; i++) {
      alice.send(new JsonObject().put("type", "message").put("channel", "chat:r").put("data", "after").put("ref", "a" + i));
      JsonObject answer = alice.next();
      while (!List.of("ack", "error").contains(answer.getString("type"))) {
        answer = alice.next();
      }
      if (answer.getString("type").equals("ack")) {
        ack = answer;
      } else {
        Thread.sleep(100);
      }
    }
    assertTrue(ack != null, "messages are accepted again");
    assertEquals("chat:r", ack.getString("channel"));
  }

  @Test
  @DisplayName("a Redis that refuses writes for memory: /health 503 and messages 'unavailable', logged; writes resume when memory is freed")
  void redisOutOfMemory() throws Exception {
    int redisPort = NodeProcess.freePort();
    redis = startRedis(redisPort, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction");
    java.util.logging.Logger storeLog = java.util.logging.Logger.getLogger(io.sobranie.realtime.common.store.RedisStore.class.getName());
    List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        logged.add(record.getLevel() + " " + record.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    storeLog.addHandler(capture);
    try {
      node = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(Map.of("JWT_SECRET", ServerTestBase.SECRET, "HTTP_PORT", "0",
          "HTTP_HOST", "127.0.0.1", "REDIS_URL", "redis://127.0.0.1:" + redisPort))).await();
      clients = Vertx.vertx();
      int port = node.port();
      WsClient alice = WsClient.connect(clients, port, ServerTestBase.token("alice"));
      assertEquals(1, alice.publish("chat:m", "before").getLong("seq"));
      assertEquals(200, health(port));

      io.vertx.redis.client.Redis admin = io.vertx.redis.client.Redis.createClient(clients, "redis://127.0.0.1:" + redisPort);
      // Grow one value a kilobyte at a time: the append that crosses maxmemory succeeds, and from
      // then on Redis refuses every write, small ones included (as after a flood of small keys).
      String kilobyte = "x".repeat(1024);
      boolean full = false;
      for (int i = 0; i < 20_000 && !full; i++) {
        full = admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.APPEND).arg("ballast").arg(kilobyte))
            .transform(r -> Future.succeededFuture(r.failed() && r.cause().getMessage().startsWith("OOM"))).await();
      }
      assertTrue(full, "Redis refuses writes");
      assertEquals(503, health(port), "health says the store cannot take writes");
      alice.send(new JsonObject().put("type", "message").put("channel", "chat:m").put("data", "during").put("ref", "d"));
      JsonObject refused = alice.next("error");
      assertEquals("unavailable", refused.getString("code"));
      assertTrue(logged.stream().anyMatch(line -> line.startsWith("SEVERE") && line.contains("out of memory")), logged.toString());

      admin.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.DEL).arg("ballast")).await();
      assertEquals(200, health(port), "writes are taken again");
      assertEquals(2, alice.publish("chat:m", "after").getLong("seq"));
      admin.close();
    } finally {
      storeLog.removeHandler(capture);
    }
  }
}
