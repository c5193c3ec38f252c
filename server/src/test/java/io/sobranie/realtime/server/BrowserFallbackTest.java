package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.DevTokens;
import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Transport fallback in a real browser: with WebSocket refused ({@code TRANSPORTS=sse,poll}) the
 * page runs on SSE + REST, with SSE refused too ({@code TRANSPORTS=poll}) on long-polling + REST,
 * and everything still works; behind a proxy that blocks WebSocket upgrades it falls back to SSE
 * and upgrades back to WebSocket once the proxy lets upgrades through.
 */
class BrowserFallbackTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static ChromeDriver first;
  private static ChromeDriver second;
  private RealtimeNode node;
  private TcpProxy proxy;

  @BeforeAll
  static void startBrowsers() {
    assertTrue(Chrome.available(), "browser tests need " + Chrome.BINARY + " and " + Chrome.DRIVER);
    first = Chrome.start("fallback-alice");
    second = Chrome.start("fallback-bob");
  }

  @AfterAll
  static void stopBrowsers() {
    if (first != null) {
      first.quit();
    }
    if (second != null) {
      second.quit();
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (node != null) {
      node.close().await();
    }
  }

  private String start(String transports) {
    // DEV_MODE without a key (with one, its token endpoints are off): the node makes up a secret.
    Map<String, String> env = new HashMap<>(Map.of("HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1",
        "NODE_ID", "fallback-node", "DEV_MODE", "true", "TRANSPORTS", transports));
    node = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(env)).await();
    return "http://127.0.0.1:" + node.port();
  }

  @Test
  @DisplayName("WebSocket refused (TRANSPORTS=sse,poll): the page falls back to SSE + REST and chat, typing and notifications still work")
  void sseWhenWebSocketIsRefused() throws Exception {
    chatOver(start("sse,poll"), "sse");
  }

  @Test
  @DisplayName("WebSocket and SSE refused (TRANSPORTS=poll): the page falls back to long-polling + REST and everything still works")
  void pollWhenWebSocketAndSseAreRefused() throws Exception {
    chatOver(start("poll"), "poll");
  }

  private void chatOver(String base, String transport) throws Exception {
    DemoPage alice = new DemoPage(first, "alice").open(base, "").signIn("alice").awaitTransport(transport);
    DemoPage bob = new DemoPage(second, "bob").open(base, "").signIn("bob").awaitTransport(transport);

    alice.send("over " + transport);
    bob.awaitMessages(List.of("alice: over " + transport));
    bob.send("reply 1");
    bob.send("reply 2");
    List<String> conversation = List.of("alice: over " + transport, "bob: reply 1", "bob: reply 2");
    alice.awaitMessages(conversation);
    bob.awaitMessages(conversation);
    assertEquals(List.of(1L, 2L, 3L), alice.seqs());

    bob.type("typing over " + transport);
    alice.await("bob typing", d -> alice.typing().equals("bob is typing…"));
    bob.clearInput();
    alice.await("bob stopped typing", Duration.ofSeconds(4), d -> alice.typing().isEmpty());

    notify("alice", "post_liked", "bob liked your post over " + transport);
    alice.await("badge 1", d -> alice.badge() == 1);
    alice.await("the notification highlighted as unread", d -> alice.unreadHighlighted() == 1);
    alice.markAllRead();
    alice.await("badge 0", d -> alice.badge() == 0);
    alice.await("no notification highlighted", d -> alice.unreadHighlighted() == 0);
    assertEquals(transport, alice.conn("data-transport"), "still on " + transport);
  }

  @Test
  @DisplayName("behind a proxy that blocks WebSocket upgrades the page uses SSE, then upgrades back to WebSocket, losing and doubling nothing")
  void upgradesBackToWebSocket() throws Exception {
    String base = start("websocket,sse,poll");
    proxy = new TcpProxy(node.port());
    proxy.mode(TcpProxy.Mode.BLOCK_WEBSOCKET);
    DemoPage alice = new DemoPage(first, "alice")
        .open("http://127.0.0.1:" + proxy.port(), "upgradeAfterMs=1000&upgradeMaxMs=1000")
        .signIn("alice").awaitTransport("sse");
    String bob = DevTokens.mint(node.config().jwtSecret(), "bob", 3600, List.of());
    publish(base, bob, "one");
    alice.awaitMessages(List.of("bob: one"));
    alice.send("two"); // over REST
    alice.awaitMessages(List.of("bob: one", "alice: two"));
    publish(base, bob, "three");
    alice.awaitMessages(List.of("bob: one", "alice: two", "bob: three"));

    // The network lets WebSocket through again. Messages keep coming, spread over the next
    // upgrade probe (every second here), so some arrive while the page switches transports.
    proxy.mode(TcpProxy.Mode.FORWARD);
    List<String> expected = new ArrayList<>(List.of("bob: one", "alice: two", "bob: three"));
    for (int i = 4; i <= 11; i++) {
      publish(base, bob, "m" + i);
      expected.add("bob: m" + i);
      Thread.sleep(150); // pacing the publisher, not waiting for a result
    }
    alice.awaitTransport("websocket");
    alice.send("twelve"); // over the WebSocket now
    expected.add("alice: twelve");
    alice.awaitMessages(expected);
    assertEquals(LongStream.rangeClosed(1, 12).boxed().toList(), alice.seqs());
  }

  private void notify(String user, String kind, String text) throws Exception {
    String service = DevTokens.mint(node.config().jwtSecret(), "notifier", 3600, List.of("service"));
    HttpResponse<String> response = post("http://127.0.0.1:" + node.port() + "/realtime/send", service,
        new JsonObject().put("userId", user).put("kind", kind).put("data", new JsonObject().put("text", text)));
    assertEquals(202, response.statusCode(), response.body());
  }

  private static void publish(String base, String token, String text) throws Exception {
    HttpResponse<String> response = post(base + "/realtime/messages", token,
        new JsonObject().put("channel", "chat:lobby").put("data", new JsonObject().put("text", text)));
    assertEquals(200, response.statusCode(), response.body());
  }

  private static HttpResponse<String> post(String url, String token, JsonObject body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
