package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** LOG_FORMAT=json: one parseable JSON object per log line. */
class JsonLogFormatterTest {

  @Test
  @DisplayName("a record becomes one line of JSON with time, level, logger and message, quotes and newlines escaped")
  void recordIsOneJsonLine() {
    LogRecord record = new LogRecord(Level.INFO, "connect user=\"al\nice\" ip=1.2.3.4");
    record.setLoggerName("io.sobranie.test");
    record.setMillis(0);
    String line = new JsonLogFormatter().format(record);
    assertTrue(line.endsWith(System.lineSeparator()));
    assertEquals(1, line.strip().lines().count(), line);
    JsonObject json = new JsonObject(line);
    assertEquals("1970-01-01T00:00:00Z", json.getString("time"));
    assertEquals("INFO", json.getString("level"));
    assertEquals("io.sobranie.test", json.getString("logger"));
    assertEquals("connect user=\"al\nice\" ip=1.2.3.4", json.getString("message"));
    assertFalse(json.containsKey("error"));
  }

  @Test
  @DisplayName("an exception is carried as its stack trace in error")
  void exceptionIsInError() {
    LogRecord record = new LogRecord(Level.SEVERE, "failed");
    record.setThrown(new IllegalStateException("boom"));
    JsonObject json = new JsonObject(new JsonLogFormatter().format(record));
    assertTrue(json.getString("error").startsWith("java.lang.IllegalStateException: boom"), json.getString("error"));
  }

  @Test
  @DisplayName("a server started with LOG_FORMAT=json writes its log lines as JSON")
  void serverLogsJson() throws Exception {
    String javaBin = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder builder = new ProcessBuilder(List.of(javaBin, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName())).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("JWT_") || key.equals("CONFIG_FILE"));
    builder.environment().putAll(Map.of("DEV_MODE", "true", "HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1",
        "LOG_FORMAT", "json"));
    Process process = builder.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      JsonObject started = null;
      for (String line = out.readLine(); line != null && started == null; line = out.readLine()) {
        if (line.startsWith("{") && line.contains("listening on http://")) {
          started = new JsonObject(line);
        }
      }
      assertTrue(started != null, "no JSON log line about the node listening");
      assertEquals("INFO", started.getString("level"));
      assertEquals(Main.class.getName(), started.getString("logger"));
    } finally {
      process.destroyForcibly().waitFor();
    }
  }
}
