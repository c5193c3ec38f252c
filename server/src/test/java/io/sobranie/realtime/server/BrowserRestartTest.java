package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The demo page across a server restart. The server runs as its own process; the browser reaches
 * it through a {@link TcpProxy} that refuses connections while the server is down and until the
 * test has published the messages "sent meanwhile", so the page must get them by recovery (its
 * resubscribe with since + epoch), not live. Before the restart alice has an unread notification
 * and watches bob's presence, so the page also follows the notifications and presence:bob streams
 * across it.
 */
class BrowserRestartTest {
  private static final String REDIS_URL = "redis://127.0.0.1:6379";
  private static ChromeDriver browser;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startBrowser() {
    assertTrue(Chrome.available(), "browser tests need " + Chrome.BINARY + " and " + Chrome.DRIVER);
    browser = Chrome.start("restart");
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  @DisplayName("with the Redis store: after a restart the page reconnects and shows the messages sent meanwhile, once, in order")
  void restartWithRedis() throws Exception {
    String prefix = "browser-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    try (Outcome outcome = restart(Map.of("REDIS_URL", REDIS_URL, "REDIS_PREFIX", prefix))) {
      outcome.page.awaitMessages(List.of("bob: before 1", "bob: before 2", "bob: during 1", "bob: during 2", "bob: during 3"));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), outcome.page.seqs());
      assertFalse(outcome.page.recoveryShown(), "recovery worked: no recovered:false shown\n" + outcome.page.describe());
      // the notification survived in Redis: still unread, counted and highlighted alike
      outcome.page.await("the notification listed again", d -> outcome.page.notifications().stream().anyMatch(n -> n.contains("before the restart")));
      outcome.page.await("badge 1", d -> outcome.page.badge() == 1);
      assertEquals(1, outcome.page.unreadHighlighted(), "one highlighted, as the badge says\n" + outcome.page.describe());
      outcome.page.closeNotifications();
      outcome.publish("after");
      outcome.page.awaitMessages(List.of("bob: before 1", "bob: before 2", "bob: during 1", "bob: during 2", "bob: during 3", "bob: after"));
    } finally {
      ClusterNodes.deleteKeys(prefix);
    }
  }

  @Test
  @DisplayName("with the embedded store: a restart starts new streams, and the page shows that recovery was impossible (recovered:false)")
  void restartWithEmbeddedStore() throws Exception {
    try (Outcome outcome = restart(Map.of())) {
      String channel = "chat:" + outcome.room;
      outcome.page.await("the recovered:false notice for " + channel + ", notifications and presence:bob",
          d -> outcome.page.recoveryShown() && List.of(outcome.page.recoveryChannels().split(","))
              .containsAll(List.of(channel, "notifications", "presence:bob")));
      // ...told in words: the room as the page names it, no internal stream names
      String text = outcome.page.recoveryText();
      assertTrue(text.contains("# " + outcome.room), "the banner names the room as the sidebar does: " + text);
      assertFalse(Pattern.compile("[A-Za-z]+:[A-Za-z0-9]").matcher(text).find(), "no channel names in the banner: " + text);
      assertFalse(text.contains("presence") || text.contains("broadcast"), "no internal streams in the banner: " + text);
      // The store started afresh: no unread notification, and none highlighted as one.
      outcome.page.await("badge 0", d -> outcome.page.badge() == 0);
      outcome.page.await("no notification highlighted", d -> outcome.page.unreadHighlighted() == 0);
      outcome.page.closeNotifications();
      // The new stream goes on from its own position: later messages arrive, nothing is shown twice.
      outcome.publish("after");
      outcome.page.awaitMessages(List.of("bob: before 1", "bob: before 2", "bob: after"));
      outcome.page.screenshot(Path.of("target", "demo-recovered-false.png"));
    }
  }

  /** What a restart left: the page, the running server and a way to publish as bob. */
  private record Outcome(DemoPage page, NodeProcess server, TcpProxy proxy, String room, String bobToken, WebSocket bob)
      implements AutoCloseable {
    void publish(String text) throws Exception {
      BrowserRestartTest.publish(server.port(), bobToken, "chat:" + room, text);
    }

    /** Stops the server even when the test failed (it is a process of its own). */
    @Override
    public void close() throws Exception {
      bob.abort();
      proxy.close();
      server.close();
    }
  }

  /**
   * The page connects (via the proxy), sees two messages, the server stops, three messages are
   * published to the restarted server while the page cannot reach it, then the page may reconnect.
   */
  private Outcome restart(Map<String, String> store) throws Exception {
    String room = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    int port = NodeProcess.freePort();
    Map<String, String> env = new HashMap<>(store);
    // DEV_MODE without a key: each run makes up its secret, so tokens come from the dev endpoint (and change with a restart).
    env.putAll(Map.of("DEV_MODE", "true", "HTTP_PORT", String.valueOf(port), "HTTP_HOST", "127.0.0.1",
        "NODE_ID", "restart-node", "PRESENCE_GRACE_MS", "300",
        // a stopping node tells each client to come back within max(1 s, heartbeat): keep that short
        "HEARTBEAT_MS", "2000"));
    NodeProcess server = NodeProcess.start(env);
    String bobToken = devToken(port, "bob");
    TcpProxy proxy = new TcpProxy(port);
    List<AutoCloseable> cleanup = new ArrayList<>(List.of(proxy, server));
    try {
      DemoPage page = new DemoPage(browser, "alice")
          .open("http://127.0.0.1:" + proxy.port(), "room=" + room + "&reconnectInitialMs=200&reconnectMaxMs=1000&presenceRefreshMs=300"
              // a reconnect that lands on a fallback (the proxy opening between two attempts) moves back to WebSocket soon
              + "&upgradeAfterMs=1000&upgradeMaxMs=2000")
          .signIn("alice").awaitTransport("websocket");
      page.await("room " + room + " joined", d -> ("chat:" + room).equals(page.roomChannel()) && ("# " + room).equals(page.roomTitle()));
      // bob follows the room (straight to the server): alice's page sees him and watches presence:bob
      WebSocket bob = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/realtime/ws?token=" + bobToken),
          new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
              socket.sendClose(WebSocket.NORMAL_CLOSURE, ""); // answers the stopping server's close at once
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      cleanup.add(bob::abort);
      bob.sendText(new JsonObject().put("type", "subscribe").put("channel", "chat:" + room).encode(), true).get(10, TimeUnit.SECONDS);
      page.await("bob online in the room", d -> "online".equals(page.presenceOf("bob")));
      publish(port, bobToken, "chat:" + room, "before 1");
      publish(port, bobToken, "chat:" + room, "before 2");
      page.awaitMessages(List.of("bob: before 1", "bob: before 2"));
      notify(port, "alice", "a notification from before the restart");
      page.await("badge 1", d -> page.badge() == 1);
      page.await("the notification highlighted as unread", d -> page.unreadHighlighted() == 1);
      page.closeNotifications();

      proxy.mode(TcpProxy.Mode.REFUSE); // from now on the page cannot reach any server
      server.terminate(30); // SIGTERM: the node closes its connections and exits
      cleanup.remove(server);
      page.await("the page noticing the server is gone", d -> !"connected".equals(page.conn("data-state")));

      server = NodeProcess.start(env); // same port, same store settings
      cleanup.add(server);
      bobToken = devToken(port, "bob"); // the restarted node made up another secret
      for (int i = 1; i <= 3; i++) {
        publish(port, bobToken, "chat:" + room, "during " + i);
      }
      proxy.mode(TcpProxy.Mode.FORWARD);
      page.awaitTransport("websocket");
      return new Outcome(page, server, proxy, room, bobToken, bob);
    } catch (Throwable e) {
      for (AutoCloseable c : cleanup) {
        c.close();
      }
      throw e;
    }
  }

  /** A token from the DEV_MODE endpoint of the node on {@code port}. */
  static String devToken(int port, String user) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/realtime/dev/token"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("user", user).encode()))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), "dev token failed: " + response.body());
    return new JsonObject(response.body()).getString("token");
  }

  /** A notification for {@code user}, sent as that user through the DEV_MODE endpoint. */
  static void notify(int port, String user, String text) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/realtime/dev/notify"))
        .header("Authorization", "Bearer " + devToken(port, user)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("kind", "post_liked")
            .put("data", new JsonObject().put("text", text)).encode()))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, response.statusCode(), "notify failed: " + response.body());
  }

  static void publish(int port, String token, String channel, String text) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/realtime/messages"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("channel", channel)
            .put("data", new JsonObject().put("text", text)).encode()))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), "publish failed: " + response.body());
  }
}
