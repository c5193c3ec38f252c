package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.config.ConfigLoader;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The newcomer's path: start the server from the command line, get a token, connect; and the refusals. */
class StartupTest {
  private static final String JAVA = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";

  private static Process launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(JAVA, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("JWT_") || key.equals("DEV_MODE") || key.equals("CONFIG_FILE"));
    builder.environment().putAll(env);
    return builder.start();
  }

  private static String outputOf(Process process) throws Exception {
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process did not exit");
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("without JWT_SECRET or DEV_MODE the server refuses to start, naming JWT_SECRET")
  void refusesWithoutSecret() throws Exception {
    Process process = launch(Map.of("HTTP_PORT", "0"));
    String output = outputOf(process);
    assertEquals(2, process.exitValue());
    assertTrue(output.contains("JWT_SECRET"), output);
  }

  @Test
  @DisplayName("a bad value refuses to start with a message naming the key")
  void refusesBadValue() throws Exception {
    Process process = launch(Map.of("JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret", "HTTP_PORT", "eighty"));
    String output = outputOf(process);
    assertEquals(2, process.exitValue());
    assertTrue(output.contains("HTTP_PORT") && output.contains("eighty"), output);
  }

  @Test
  @DisplayName("DEV_MODE=true starts with a generated secret and prints a token that connects")
  void devModePrintsAWorkingToken() throws Exception {
    Process process = launch(Map.of("DEV_MODE", "true", "HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1"));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Integer port = null;
      String token = null;
      Pattern listening = Pattern.compile("listening on port (\\d+)");
      while (token == null) {
        String line = out.readLine();
        if (line == null) {
          break;
        }
        Matcher m = listening.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        } else if (port != null && line.startsWith("eyJ")) {
          token = line.trim();
        }
      }
      assertTrue(port != null && token != null, "no port and token printed");
      Vertx vertx = Vertx.vertx();
      try (WsClient client = WsClient.open(vertx, port, "token=" + token, null)) {
        assertEquals("dev", client.next("connected").getString("userId"));
      } finally {
        vertx.close().await();
      }
    } finally {
      process.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName("--help and token --help print usage and exit 0; an unknown command exits 2")
  void help() throws Exception {
    Process help = launch(Map.of(), "--help");
    String out = outputOf(help);
    assertEquals(0, help.exitValue(), out);
    assertTrue(out.contains("usage:") && out.contains("token --help"), out);
    Process tokenHelp = launch(Map.of(), "token", "--help");
    String tokenOut = outputOf(tokenHelp);
    assertEquals(0, tokenHelp.exitValue(), tokenOut);
    assertTrue(tokenOut.contains("--user ID") && tokenOut.contains("default 3600"), tokenOut);
    Process unknown = launch(Map.of(), "serve-please");
    String unknownOut = outputOf(unknown);
    assertEquals(2, unknown.exitValue());
    assertTrue(unknownOut.contains("unknown command") && unknownOut.contains("--help"), unknownOut);
  }

  @Test
  @DisplayName("DEV_MODE with a configured JWT_SECRET never mints: the dev endpoints are off, and the start says so")
  void devModeWithARealKeyMintsNothing() throws Exception {
    Process process = launch(Map.of("DEV_MODE", "true", "JWT_SECRET", ServerTestBase.SECRET, "HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1"));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Integer port = null;
      StringBuilder seen = new StringBuilder();
      Pattern listening = Pattern.compile("listening on port (\\d+)");
      boolean warned = false;
      while (port == null || !warned) {
        String line = out.readLine();
        if (line == null) {
          break;
        }
        seen.append(line).append('\n');
        Matcher m = listening.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
        warned |= line.contains("dev token endpoints are off");
      }
      assertTrue(port != null && warned, "no port or no word about the dev endpoints:\n" + seen);
      assertTrue(!seen.toString().contains("eyJ"), "no token printed:\n" + seen);
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpResponse<String> minted = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + port + "/realtime/dev/token"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"user\":\"admin\"}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(404, minted.statusCode(), minted.body());
      java.net.http.HttpResponse<String> config = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + port + "/realtime/demo/config")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(false, new io.vertx.core.json.JsonObject(config.body()).getBoolean("devMode"), "the demo offers pasting a token");
    } finally {
      process.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName("token --user X --ttl S prints a token the server's verifier accepts")
  void tokenCommand() {
    RealtimeConfig config = ConfigLoader.load(Map.of("JWT_SECRET", ServerTestBase.SECRET));
    String token = Main.token(config, List.of("--user", "alice", "--ttl", "120", "--roles", "service"));
    Vertx vertx = Vertx.vertx();
    try {
      Principal principal = TokenVerifier.create(vertx, config).compose(v -> v.verify(token)).await();
      assertEquals("alice", principal.userId());
      assertTrue(principal.isService());
      long ttl = principal.expiresAtMs() - System.currentTimeMillis();
      assertTrue(ttl > 100_000 && ttl <= 120_000, "ttl " + ttl);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("token refuses a missing or invalid user, a bad ttl, and a missing secret")
  void tokenCommandRefusals() {
    RealtimeConfig config = ConfigLoader.load(Map.of("JWT_SECRET", ServerTestBase.SECRET));
    assertThrows(Main.UsageException.class, () -> Main.token(config, List.of()));
    assertThrows(Main.UsageException.class, () -> Main.token(config, List.of("--user", "bad user")));
    assertThrows(Main.UsageException.class, () -> Main.token(config, List.of("--user", "a", "--ttl", "soon")));
    assertThrows(Main.UsageException.class, () -> Main.token(config, List.of("--user", "a", "--ttl", "-5")));
    assertThrows(Main.UsageException.class, () -> Main.token(config, List.of("--user", "a", "--color", "red")));
    RealtimeConfig dev = ConfigLoader.load(Map.of("DEV_MODE", "true"));
    assertThrows(Main.UsageException.class, () -> Main.token(dev, List.of("--user", "a")));
  }
}
