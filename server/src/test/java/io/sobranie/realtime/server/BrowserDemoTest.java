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
    // DEV_MODE without a key (with one, its token endpoints are off): the node makes up a secret.
    return Map.of("DEV_MODE", "true", "JWT_SECRET", "", "PRESENCE_GRACE_MS", "300");
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
    assertEquals("chat:lobby", alice.roomChannel());
    assertEquals("# lobby", alice.roomTitle());

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
    first.get("about:blank");
    alice.consoleErrors(); // empties the log
    Map<String, String> env = Map.of("JWT_SECRET", SECRET, "HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1", "NODE_ID", "no-dev");
    RealtimeNode plain = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(env)).await();
    try {
      alice.open("http://127.0.0.1:" + plain.port(), "");
      alice.await("the token form", d -> d.findElement(By.id("token-input")).isDisplayed());
      assertFalse(first.findElement(By.id("dev-signin")).isDisplayed(), "no name sign-in without DEV_MODE");
      alice.signInWithToken(token("alice"), "alice").awaitTransport("websocket");
      alice.openNotifications();
      assertTrue(first.findElement(By.id("mark-read-btn")).isDisplayed(), "the notifications panel is open");
      assertFalse(first.findElement(By.id("notify-me-btn")).isDisplayed(), "no test-notification button without DEV_MODE");
      assertEquals(List.of(), alice.consoleErrors(), "console errors while loading the page and signing in without DEV_MODE");
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
    alice.await("2 highlighted as unread", d -> alice.unreadHighlighted() == 2);

    alice.sendTestNotification(); // DEV_MODE: a test notification to oneself
    alice.await("badge 3", d -> alice.badge() == 3);
    alice.await("the test notification listed", d -> alice.notifications().stream().anyMatch(n -> n.contains("Test notification")));
    alice.await("3 highlighted as unread", d -> alice.unreadHighlighted() == 3);

    alice.markAllRead();
    alice.await("badge back to 0", d -> alice.badge() == 0);
    alice.await("none highlighted", d -> alice.unreadHighlighted() == 0);
    assertEquals(3, alice.notifications().size(), "each notification listed once: " + alice.notifications());

    // read again from the server (a reload): still 3, none unread, the badge 0
    alice.driver.navigate().refresh();
    alice.awaitTransport("websocket");
    alice.await("the 3 listed after a reload", d -> alice.notifications().size() == 3);
    assertEquals(0, alice.unreadHighlighted(), "none highlighted after a reload\n" + alice.describe());
    assertEquals(0, alice.badge());
  }

  @Test
  @DisplayName("at phone size (390×844): one panel at a time through the tab bar, every panel usable, no sideways scrolling, no console errors")
  void phoneLayout() throws Exception {
    walkThrough(390, 844, true, "phone");
  }

  @Test
  @DisplayName("at desktop size (1280×800): rooms, chat and people side by side, every panel usable, no sideways scrolling, no console errors")
  void desktopLayout() throws Exception {
    walkThrough(1280, 800, false, "desktop");
  }

  /**
   * Both users at the given viewport: sign in, chat both ways (with a long unbroken word), typing,
   * presence, a second room, notifications through the bell, the connection log; after each step
   * the page is no wider than the viewport and the panel in use lies inside it. Screenshots go to
   * target/demo-{size}*.png.
   */
  private void walkThrough(int width, int height, boolean phone, String size) throws Exception {
    Chrome.viewport(first, width, height, phone);
    Chrome.viewport(second, width, height, phone);
    try {
      // pages left from an earlier test (reconnecting to its stopped server) go first, then their log
      first.get("about:blank");
      second.get("about:blank");
      alice.consoleErrors();
      bob.consoleErrors();
      alice.open(base(), "");
      alice.await("the DEV_MODE sign-in form", d -> d.findElement(By.id("dev-signin")).isDisplayed());
      assertEquals(List.of((long) width, (long) height), alice.viewportSize(), "the viewport under test");
      assertFits(alice, "the sign-in page");
      shot(alice, "demo-" + size + "-signin.png");
      alice.signIn("alice").awaitTransport("websocket");
      bob.open(base(), "").signIn("bob").awaitTransport("websocket");
      assertEquals(phone, alice.phoneLayout(), "the tab bar is the phone layout's");
      assertEquals(List.of(), alice.consoleErrors(), "console errors while loading the page and signing in (alice)");
      assertEquals(List.of(), bob.consoleErrors(), "console errors while loading the page and signing in (bob)");
      assertTrue((Boolean) first.executeScript("const t = document.getElementById('title'); return t.scrollWidth <= t.clientWidth;"),
          "the header title is not clipped");
      assertInside(alice, "bell");
      assertInside(alice, "me");

      // chat both ways; a long unbroken word wraps instead of widening the page
      String longWord = "https://example.com/" + "averylongpathsegment".repeat(8); // no break opportunity at all
      alice.send("hello from " + size);
      bob.awaitMessages(List.of("alice: hello from " + size));
      bob.send(longWord);
      alice.awaitMessages(List.of("alice: hello from " + size, "bob: " + longWord));
      assertFits(alice, "the chat");
      assertUsable(alice, "chat", phone ? width - 2 : 560);
      assertInside(alice, "message-input");
      assertInside(alice, "send-btn");

      // typing, as alice sees it above her message field
      bob.type("still typ");
      alice.await("bob is typing", d -> alice.typing().equals("bob is typing…"));
      assertInside(alice, "typing");

      // presence: bob online in the people panel
      alice.await("bob online", d -> "online".equals(alice.presenceOf("bob")));
      assertUsable(alice, "people-panel", phone ? width - 40 : 200);
      assertFits(alice, "the people panel");

      // a notification: the badge counts it; the bell opens the panel that highlights it; mark read clears both
      notify("alice", "post_liked", new JsonObject().put("text", "bob liked your post"));
      alice.await("badge 1", d -> alice.badge() == 1);
      assertTrue(first.findElement(By.id("badge")).isDisplayed(), "the badge shows a count");
      bob.type("…"); // keeps the indicator on for the screenshot
      alice.view("chat");
      alice.await("bob is typing", d -> alice.typing().equals("bob is typing…"));
      shot(alice, "demo-" + size + ".png");

      alice.openNotifications();
      assertEquals("true", first.findElement(By.id("bell")).getAttribute("aria-expanded"));
      alice.await("the notification listed", d -> alice.notifications().stream().anyMatch(n -> n.contains("bob liked your post")));
      assertEquals(1, alice.unreadHighlighted(), "one highlighted as unread\n" + alice.describe());
      assertUsable(alice, "notif-panel", phone ? width - 2 : 300);
      assertInside(alice, "mark-read-btn");
      assertFits(alice, "the notifications panel");
      shot(alice, "demo-" + size + "-notifications.png");
      alice.markAllRead();
      alice.await("badge 0", d -> alice.badge() == 0);
      alice.await("none highlighted", d -> alice.unreadHighlighted() == 0);
      alice.closeNotifications(); // the bell again
      assertEquals("false", first.findElement(By.id("bell")).getAttribute("aria-expanded"));

      // a second room: the chat header, the rooms list and the people panel name it the same way
      alice.join("side");
      bob.join("side");
      bob.send("in the side room");
      alice.awaitMessages(List.of("bob: in the side room"));
      assertEquals("# side", alice.roomTitle(), "the chat header");
      alice.view("rooms");
      assertEquals("# side", first.findElement(By.cssSelector("#rooms li.active .name")).getText(), "the rooms list");
      assertEquals(List.of("# lobby", "# side"), first.findElements(By.cssSelector("#rooms li .name")).stream().map(e -> e.getText()).toList());
      assertUsable(alice, "rooms-panel", phone ? width - 40 : 200);
      alice.view("people");
      assertEquals("# side", first.findElement(By.id("online-room")).getText(), "the people panel");

      // the connection log: its own panel, collapsed until opened
      alice.view("rooms");
      assertFalse(first.findElement(By.id("log")).isDisplayed(), "the log starts collapsed");
      first.findElement(By.cssSelector("#log-panel summary")).click();
      alice.await("the log open", d -> d.findElement(By.id("log")).isDisplayed()
          && d.findElement(By.id("log")).getText().contains("state connected websocket"));
      assertInside(alice, "log-panel");
      assertFits(alice, "the rooms panel with the log open");
      if (phone) {
        shot(alice, "demo-phone-rooms.png");
        alice.view("people");
        shot(alice, "demo-phone-people.png");
      }
      alice.view("chat");
      if (!phone) {
        // in between (a tablet, a narrow window): two columns, still no sideways scrolling
        Chrome.viewport(first, 820, 1000, false);
        alice.await("the two-column layout", d -> alice.box("people-panel").get(0) < alice.box("chat").get(0));
        assertFalse(alice.phoneLayout(), "no tab bar at 820 px");
        assertFits(alice, "the page at 820 px");
        assertUsable(alice, "chat", 480);
        assertUsable(alice, "rooms-panel", 200);
        assertUsable(alice, "people-panel", 200);
        shot(alice, "demo-tablet.png");
      }

      assertEquals(List.of(), alice.consoleErrors(), "console errors during the session (alice)");
      assertEquals(List.of(), bob.consoleErrors(), "console errors during the session (bob)");
    } finally {
      Chrome.resetViewport(first);
      Chrome.resetViewport(second);
    }
  }

  /** No sideways scrolling: the page is no wider than the viewport, and no panel scrolls sideways inside it. */
  private static void assertFits(DemoPage page, String where) {
    assertTrue(page.horizontalOverflow() <= 0, where + ": the page is " + page.horizontalOverflow() + " px wider than the viewport");
    assertEquals(List.of(), page.sidewaysScrollers(), where + ": panels that scroll sideways");
  }

  /** The element is shown and lies inside the viewport. */
  private static void assertInside(DemoPage page, String id) {
    assertTrue(page.driver.findElement(By.id(id)).isDisplayed(), id + " is shown");
    List<Double> box = page.box(id);
    List<Long> viewport = page.viewportSize();
    assertTrue(box.get(0) >= 0 && box.get(1) >= 0 && box.get(0) + box.get(2) <= viewport.get(0) + 0.5
        && box.get(1) + box.get(3) <= viewport.get(1) + 0.5, id + " " + box + " lies inside the viewport " + viewport);
  }

  /** The panel is shown inside the viewport, at least {@code minWidth} px wide and not squashed. */
  private static void assertUsable(DemoPage page, String id, int minWidth) {
    assertInside(page, id);
    List<Double> box = page.box(id);
    assertTrue(box.get(2) >= minWidth && box.get(3) >= 120, id + " " + box + " is at least " + minWidth + " px wide and 120 px high");
  }

  private static void shot(DemoPage page, String name) throws Exception {
    Path png = page.screenshot(Path.of("target", name));
    assertTrue(Files.size(png) > 10_000, "screenshot " + png + " looks empty");
  }
}
