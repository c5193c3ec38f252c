package io.sobranie.realtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.sobranie.realtime.server.RealtimeNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each scenario, tiny, against a real node in this JVM (no metrics: see TOOLCHAIN.md): no loss, no
 * failure, a well-formed report. Never a timing: this machine is shared.
 */
class BenchSmokeTest {
  private static final String SECRET = "bench-test-secret-0123456789-abcdefgh";
  private static RealtimeNode node;

  @BeforeAll
  static void startNode() {
    node = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(Map.of(
        "JWT_SECRET", SECRET,
        "HTTP_PORT", "0",
        "HTTP_HOST", "127.0.0.1",
        "NODE_ID", "bench-test",
        "MESSAGES_PER_MINUTE", "100000"))).await();
  }

  @AfterAll
  static void stopNode() {
    node.close().await();
  }

  private static JsonObject run(String... args) throws Exception {
    String[] common = {"--url", "ws://127.0.0.1:" + node.port(), "--secret", SECRET, "--drain", "3"};
    String[] all = new String[args.length + common.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(common, 0, all, args.length, common.length);
    JsonObject report = BenchMain.run(Options.parse(all));
    // The JSON line is one object, starting with the scenario.
    String line = report.encode();
    assertTrue(line.startsWith("{\"scenario\":\"" + args[0] + "\""), line);
    assertEquals(report, new JsonObject(line));
    return report;
  }

  private static void assertNoFailure(JsonObject report) {
    JsonObject problems = report.getJsonObject("problems");
    assertEquals(0L, problems.getLong("failed"), report::encodePrettily);
    assertEquals(0L, problems.getLong("dropped"), report::encodePrettily);
  }

  private static void assertNoLoss(JsonObject accounting, long expected) {
    assertEquals(expected, accounting.getLong("expected"), accounting::encodePrettily);
    assertEquals(expected, accounting.getLong("received"), accounting::encodePrettily);
    assertEquals(0L, accounting.getLong("lost"));
    assertEquals(0L, accounting.getLong("duplicates"));
    assertEquals(0L, accounting.getLong("seqGaps"));
    assertEquals(0L, accounting.getLong("seqRepeats"));
  }

  private static void assertToolFigures(JsonObject tool) {
    for (String key : new String[] {"cpuCores", "cpuSeconds", "loopLagP99Ms", "loopLagMaxMs"}) {
      assertTrue(tool.getValue(key) instanceof Number, key + " in " + tool.encode());
    }
  }

  @Test
  @DisplayName("idle: every connection is ready with its subscriptions and stays open; server figures with --server-pid")
  void idle() throws Exception {
    long self = ProcessHandle.current().pid(); // the node runs in this JVM
    JsonObject report = run("idle", "--connections", "5", "--subscriptions", "2", "--duration", "1",
        "--server-pid", String.valueOf(self));
    assertNoFailure(report);
    assertTrue(report.getBoolean("ok"), report::encodePrettily);
    assertEquals(5, report.getJsonObject("connect").getInteger("ready"));
    assertEquals(5, report.getJsonObject("hold").getInteger("openAtEnd"));
    assertToolFigures(report.getJsonObject("connect").getJsonObject("tool"));
    JsonObject server = report.getJsonObject("server");
    assertTrue(server.getJsonObject("after").getLong("rssKb") > 0, server::encode);
    assertTrue(server.containsKey("heapBytesPerConnection"), server::encode);
  }

  @Test
  @DisplayName("broadcast --start-file: connects, waits for the file, then publishes as usual")
  void broadcastWaitsForTheStartFile() throws Exception {
    java.nio.file.Path go = java.nio.file.Files.createTempDirectory("bench").resolve("go");
    Thread starter = new Thread(() -> {
      try {
        Thread.sleep(500);
        java.nio.file.Files.createFile(go);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    starter.start();
    JsonObject report = run("broadcast", "--connections", "3", "--rate", "10", "--duration", "1",
        "--start-file", go.toString());
    starter.join();
    assertNoFailure(report);
    assertEquals(10, report.getJsonObject("publisher").getInteger("accepted"));
    assertNoLoss(report.getJsonObject("accounting"), 30);
  }

  @Test
  @DisplayName("broadcast: every subscriber gets every published message once, in seq order")
  void broadcast() throws Exception {
    JsonObject report = run("broadcast", "--connections", "5", "--rate", "10", "--duration", "1",
        "--server-pid", String.valueOf(ProcessHandle.current().pid()));
    assertNoFailure(report);
    assertEquals(10, report.getJsonObject("publisher").getInteger("accepted"));
    assertNoLoss(report.getJsonObject("accounting"), 50);
    assertEquals(50L, report.getJsonObject("latencyMs").getLong("count"));
    assertTrue(report.getJsonObject("server").containsKey("deliveriesPerServerCoreSecond"));
    assertToolFigures(report.getJsonObject("tool"));
  }

  @Test
  @DisplayName("broadcast --step: grows N after each passing run and reports the knee")
  void broadcastStep() throws Exception {
    JsonObject report = run("broadcast", "--connections", "2", "--step", "+2", "--max-connections", "4",
        "--rate", "10", "--duration", "0.5");
    assertNoFailure(report);
    assertEquals(2, report.getJsonArray("steps").size(), report::encodePrettily);
    // The knee is the last passing N: 4 unless this shared machine made a step miss 500 ms.
    assertTrue(report.getInteger("knee") == 4 || report.getInteger("knee") <= 2, report::encodePrettily);
    for (int i = 0; i < 2; i++) {
      JsonObject step = report.getJsonArray("steps").getJsonObject(i);
      assertNoLoss(step.getJsonObject("accounting"), 5L * step.getInteger("subscribers"));
    }
  }

  @Test
  @DisplayName("chat: every acked message reaches every member of its room, sender included; no error frames")
  void chat() throws Exception {
    JsonObject report = run("chat", "--rooms", "2", "--users", "3", "--rate", "20", "--duration", "1");
    assertNoFailure(report);
    JsonObject accounting = report.getJsonObject("accounting");
    assertEquals(20L, accounting.getLong("sent"));
    assertEquals(20L, accounting.getLong("acks"));
    assertEquals(0L, accounting.getLong("unanswered"));
    assertTrue(accounting.getJsonObject("errors").isEmpty(), accounting::encode);
    assertNoLoss(accounting, 60);
    assertTrue(report.getBoolean("ok"), report::encodePrettily);
    assertToolFigures(report.getJsonObject("tool"));
  }
}
