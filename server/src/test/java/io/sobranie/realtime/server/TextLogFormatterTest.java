package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** LOG_FORMAT=text: no client can write a line of its own into the log. */
class TextLogFormatterTest {
  private static final String FORGED = "2026-12-06T00:00:00.000 INFO io.sobranie.realtime.Admin - admin logged in";

  @Test
  @DisplayName("control characters of a message are escaped: one record, one line")
  void controlCharactersAreEscaped() {
    LogRecord record = new LogRecord(Level.INFO, "origin=a\nb\rc\td\u0000e\u2028f");
    record.setLoggerName("io.sobranie.test");
    String line = new TextLogFormatter().format(record);
    assertEquals(1, line.strip().lines().count(), line);
    assertTrue(line.strip().endsWith("io.sobranie.test - origin=a\\nb\\rc\\td\\u0000e\\u2028f"), line);
  }

  @Test
  @DisplayName("a stack trace still follows its record")
  void stackTraceFollows() {
    LogRecord record = new LogRecord(Level.SEVERE, "failed");
    record.setLoggerName("io.sobranie.test");
    record.setThrown(new IllegalStateException("boom"));
    String text = new TextLogFormatter().format(record);
    assertTrue(text.contains(System.lineSeparator() + "java.lang.IllegalStateException: boom"), text);
  }

  @Test
  @DisplayName("a token whose header carries a forged log line is logged as a reason word; the forged line never appears")
  void forgedTokenHeaderCannotWriteALine() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET", ServerTestBase.SECRET);
    env.put("HTTP_PORT", "0");
    env.put("HTTP_HOST", "127.0.0.1");
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String header = base64.encodeToString(new JsonObject().put("alg", "HS256\n" + FORGED).put("typ", "JWT").encode()
        .getBytes(StandardCharsets.UTF_8));
    String payload = base64.encodeToString(new JsonObject().put("sub", "mallory").put("exp", System.currentTimeMillis() / 1000 + 60)
        .encode().getBytes(StandardCharsets.UTF_8));
    String token = header + "." + payload + ".c2lnbmF0dXJl";
    Vertx clients = Vertx.vertx();
    try (NodeProcess server = NodeProcess.start(env)) {
      WsClient client = WsClient.open(clients, server.port(), "token=" + token, null);
      assertEquals(1008, client.awaitClose());
      client.close();
      String sentinel = "sentinel-" + System.nanoTime(); // a later line proves the earlier ones were written
      WsClient.open(clients, server.port(), "token=" + sentinel, null).awaitClose();
      for (int i = 0; i < 100 && !server.output().contains("reason=malformed"); i++) {
        Thread.sleep(50);
      }
      String log = server.output();
      assertTrue(log.contains("outcome=unauthorized reason="), log);
      for (String line : log.split("\n")) {
        assertFalse(line.startsWith(FORGED.substring(0, 10)) && line.contains("admin logged in"), "forged line:\n" + log);
      }
      assertFalse(log.contains("admin logged in"), "the token's text is never logged:\n" + log);
    } finally {
      clients.close().await();
    }
  }
}
