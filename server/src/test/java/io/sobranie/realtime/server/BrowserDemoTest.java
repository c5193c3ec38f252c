package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The demo page in two real browser sessions (headless Chromium) against a real node: chat,
 * typing, presence and notifications, all through the page's UI and the public client.
 */
class BrowserDemoTest extends ServerTestBase {
  private static ChromeDriver first;
  private static ChromeDriver second;
  private DemoPage alice;
  private DemoPage bob;

  @Override
  protected Map<String, String> settings() {
    return Map.of("DEV_MODE", "true", "PRESENCE_GRACE_MS", "300");
  }

  @BeforeAll
  static void startBrowsers() {
    assertTrue(Chrome.available(), "browser tests need " + Chrome.BINARY + " and " + Chrome.DRIVER + " (apt-get install chromium chromium-driver; .ci/run does)");
    first = Chrome.start("demo-alice");
    second = Chrome.start("demo-bob");
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

  @BeforeEach
  void pages() {
    alice = new DemoPage(first, "alice");
    bob = new DemoPage(second, "bob");
  }

  private String base() {
    return "http://127.0.0.1:" + port();
  }

  @Test
  @DisplayName("two browser sessions chat through the demo page: each message shows once, in order, on both")
  void twoSessionsChat() throws Exception {
    alice.open(base(), "").signIn("alice").awaitTransport("websocket");
    bob.open(base(), "").signIn("bob").awaitTransport("websocket");
    assertEquals("chat:lobby", alice.driver.findElement(By.id("room-title")).getText());

    alice.send("hello bob");
    bob.awaitMessages(List.of("alice: hello bob"));
    bob.send("hi alice");
    bob.send("how are you?");
    List<String> conversation = List.of("alice: hello bob", "bob: hi alice", "bob: how are you?");
    alice.awaitMessages(conversation);
    bob.awaitMessages(conversation);
    assertEquals(List.of(1L, 2L, 3L), alice.seqs());

    // a second room keeps its own conversation
    alice.join("side");
    bob.join("side");
    bob.send("in the side room");
    alice.awaitMessages(List.of("bob: in the side room"));

    // for the screenshot: bob typing, a notification in the badge
    notify("alice", "post_liked", new JsonObject().put("text", "bob liked your post"));
    alice.await("badge 1", d -> alice.badge() == 1);
    bob.type("writing something…");
    alice.await("bob typing", d -> alice.typing().contains("bob is typing"));
    Path png = alice.screenshot(Path.of("target", "demo.png"));
    assertTrue(Files.size(png) > 10_000, "screenshot " + png + " looks empty");
  }

  @Test
  @DisplayName("the typing indicator appears while the other user types and disappears when they stop or send")
  void typingIndicator() {
    alice.open(base(), "").signIn("alice").awaitTransport("websocket");
    bob.open(base(), "").signIn("bob").awaitTransport("websocket");
    assertEquals("", alice.typing());

    bob.type("hel");
    alice.await("bob is typing", d -> alice.typing().equals("bob is typing…"));
    assertEquals("", bob.typing(), "nobody sees their own typing");
    // Emptying the field says active:false; the page would only time it out after 6 s, so a
    // 4 s bound proves the indicator followed the event.
    bob.clearInput();
    alice.await("the indicator gone after clearing", Duration.ofSeconds(4), d -> alice.typing().isEmpty());

    // Typing again past the server's 2 s throttle window shows it again; sending clears it.
    bob.type("hello");
    alice.await("bob is typing again", d -> alice.typing().equals("bob is typing…"));
    bob.send("!");
    alice.await("the indicator gone after sending", Duration.ofSeconds(4), d -> alice.typing().isEmpty());
    alice.awaitMessages(List.of("bob: hello!"));
  }

  @Test
  @DisplayName("the online list shows who is in the room and updates when one closes the page and comes back")
  void presenceList() {
    bob.open(base(), "").signIn("bob").awaitTransport("websocket");
    alice.open(base(), "").signIn("alice").awaitTransport("websocket");
    alice.await("bob online in alice's list", d -> "online".equals(alice.presenceOf("bob")));
    assertEquals("online", alice.presenceOf("alice"), "the list shows the user herself");

    String demoTab = bob.driver.getWindowHandle();
    String otherTab = bob.driver.switchTo().newWindow(WindowType.TAB).getWindowHandle();
    bob.driver.switchTo().window(demoTab).close(); // bob closes the demo's tab
    bob.driver.switchTo().window(otherTab);
    alice.await("bob offline after the presence grace", d -> "offline".equals(alice.presenceOf("bob")));

    bob.open(base(), "").signIn("bob").awaitTransport("websocket");
    alice.await("bob back online", d -> "online".equals(alice.presenceOf("bob")));
  }

  @Test
  @DisplayName("without DEV_MODE the page offers only the pasted-token sign-in, and a pasted token works")
  void pastedTokenWithoutDevMode() {
    Map<String, String> env = Map.of("JWT_SECRET", SECRET, "HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1", "NODE_ID", "no-dev");
    RealtimeNode plain = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(env)).await();
    try {
      alice.open("http://127.0.0.1:" + plain.port(), "");
      alice.await("the token form", d -> d.findElement(By.id("token-input")).isDisplayed());
      assertFalse(first.findElement(By.id("dev-signin")).isDisplayed(), "no name sign-in without DEV_MODE");
      alice.signInWithToken(token("alice"), "alice").awaitTransport("websocket");
      assertFalse(first.findElement(By.id("notify-me-btn")).isDisplayed(), "no test-notification button without DEV_MODE");
      alice.send("signed in with a token");
      alice.awaitMessages(List.of("alice: signed in with a token"));
    } finally {
      plain.close().await();
    }
  }

  @Test
  @DisplayName("a notification sent through POST /realtime/send shows in the badge live; the test button and mark-read work")
  void notificationBadge() {
    alice.open(base(), "").signIn("alice").awaitTransport("websocket");
    assertEquals(0, alice.badge());

    notify("alice", "comment_added", new JsonObject().put("text", "bob commented on your post"));
    alice.await("badge 1", d -> alice.badge() == 1);
    alice.await("the notification listed", d -> alice.notifications().stream().anyMatch(n -> n.contains("bob commented on your post")));

    notify("alice", "post_liked", new JsonObject().put("text", "carol liked your post"));
    alice.await("badge 2", d -> alice.badge() == 2);

    alice.click("notify-me-btn"); // DEV_MODE: a test notification to oneself
    alice.await("badge 3", d -> alice.badge() == 3);
    alice.await("the test notification listed", d -> alice.notifications().stream().anyMatch(n -> n.contains("Test notification")));

    alice.click("mark-read-btn");
    alice.await("badge back to 0", d -> alice.badge() == 0);
    assertEquals(3, alice.notifications().size(), "each notification listed once: " + alice.notifications());
  }
}
