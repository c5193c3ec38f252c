package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The browser client's own tests (server/src/test/js, Node's built-in runner): its logic with
 * scripted transports and timers (backoff bounds, queue limit, frame splitting, ordering and
 * dedupe, resubscribe with since + epoch, fallback), then the real client against the real node
 * this test starts, over each transport. The same run validates docs/asyncapi.yaml with the
 * official AsyncAPI parser (asyncapi.test.mjs; {@code npm ci} in src/test/js installs it). Node's
 * output is shown; any failing Node test fails this.
 */
class ClientLibraryTest extends ServerTestBase {
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path CLIENT = MODULE.resolveSibling("gateway-verticle").resolve("src/main/resources/webroot/realtime-client.js");
  private static final Path TESTS = MODULE.resolve("src/test/js");

  @Override
  protected Map<String, String> settings() {
    return Map.of("DEV_MODE", "true");
  }

  @Test
  @DisplayName("node --test: the client's logic and the client against this server pass")
  void nodeTests() throws Exception {
    assertTrue(Files.isRegularFile(CLIENT), "client not found at " + CLIENT);
    String node = nodeBinary();
    List<String> command = new ArrayList<>(List.of(node));
    if (supports(node, "--experimental-websocket")) {
      command.add("--experimental-websocket"); // Node 20/21: the WebSocket client is behind a flag
    }
    if (supports(node, "--test-concurrency=1")) {
      // One file at a time: the AsyncAPI parser's CPU burst must not starve the real-server tests' timeouts.
      command.add("--test-concurrency=1");
    }
    command.addAll(List.of("--test", "--test-reporter=spec"));
    try (var files = Files.list(TESTS)) {
      files.filter(f -> f.toString().endsWith(".test.mjs")).sorted().forEach(f -> command.add(f.toString()));
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("CLIENT_JS", CLIENT.toString());
    builder.environment().put("BASE_URL", "http://127.0.0.1:" + port());
    builder.environment().put("JWT_SECRET", SECRET);
    builder.environment().put("NO_COLOR", "1");
    Process process = builder.start();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      reader.join(5000);
      fail("node --test did not finish within 120 s:\n" + output);
    }
    reader.join(5000);
    System.out.println(output);
    assertEquals(0, process.exitValue(), "node --test failed:\n" + output);
    assertTrue(output.toString().matches("(?s).*\\bpass [1-9]\\d*.*") && output.toString().contains("fail 0"),
        "node --test ran no tests?\n" + output);
    assertTrue(output.toString().contains("skipped 0"), "some Node tests were skipped (is the WebSocket client available?):\n" + output);
  }

  private static String nodeBinary() throws Exception {
    for (String candidate : List.of("node", "nodejs")) {
      if (supports(candidate, null)) {
        return candidate;
      }
    }
    fail("the client tests need Node.js 20+ on PATH (apt-get install nodejs)");
    return null;
  }

  /** Whether {@code node [flag] -e 0} runs. */
  private static boolean supports(String node, String flag) {
    List<String> command = new ArrayList<>(List.of(node));
    if (flag != null) {
      command.add(flag);
    }
    command.addAll(List.of("-e", "0"));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
