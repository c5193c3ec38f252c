package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page ({@code GET /realtime/admin}) in headless Chromium against real nodes while real
 * WebSocket clients chat: it asks for a credential, shows the cluster live (connections, message
 * rates and counts, top channels, nodes, health), publishes and notifies through the pipeline, and
 * refuses a wrong credential. Screenshots: target/screenshots/admin-*.png.
 */
class AdminPageTest extends ServerTestBase {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static ChromeDriver browser;
  private final AtomicBoolean chatting = new AtomicBoolean();
  private Thread chat;

  @Override
  protected Map<String, String> settings() {
    return Map.of("ADMIN_TOKEN", AdminStatsTest.ADMIN_TOKEN);
  }

  @BeforeAll
  static void startBrowser() {
    assertTrue(Chrome.available(), "browser tests need " + Chrome.BINARY + " and " + Chrome.DRIVER);
    browser = Chrome.start("admin");
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @AfterEach
  void stopChat() throws InterruptedException {
    chatting.set(false);
    if (chat != null) {
      chat.join(5_000);
    }
    Chrome.resetViewport(browser);
    browser.get("about:blank"); // every test's node has a port, so an origin and a sessionStorage, of its own
  }

  // ---- the page ----------------------------------------------------------------------------

  private void open(int port) {
    consoleErrors(); // empties the log
    browser.get("http://127.0.0.1:" + port + "/realtime/admin");
  }

  private void signIn(String credential) {
    await("the sign-in form", d -> d.findElement(By.id("token-input")).isDisplayed());
    WebElement field = browser.findElement(By.id("token-input"));
    field.clear();
    field.sendKeys(credential);
    browser.findElement(By.id("signin-btn")).click();
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private long number(String id) {
    String text = browser.findElement(By.id(id)).getAttribute("textContent").replace(",", "").trim();
    return text.isEmpty() || text.equals("–") ? -1 : (long) Double.parseDouble(text);
  }

  private double rate(String id) {
    return Double.parseDouble(browser.findElement(By.id(id)).getAttribute("textContent").replace(",", ""));
  }

  private String attribute(String id, String name) {
    return browser.findElement(By.id(id)).getAttribute(name);
  }

  /** The top channels as shown: "channel=subscribers", most first. */
  @SuppressWarnings("unchecked")
  private List<String> topChannels() {
    return (List<String>) browser.executeScript("return [...document.querySelectorAll('#top-channels li[data-channel]')]"
        + ".map(li => li.dataset.channel + '=' + li.dataset.subscribers)");
  }

  @SuppressWarnings("unchecked")
  private List<String> nodes() {
    return (List<String>) browser.executeScript("return [...document.querySelectorAll('#nodes tbody tr[data-node]')]"
        + ".map(tr => tr.dataset.node + ' ' + tr.dataset.loops)");
  }

  private long horizontalOverflow() {
    return ((Number) browser.executeScript(
        "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth;")).longValue();
  }

  private List<String> consoleErrors() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).toList();
  }

  private void await(String what, Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(browser, WAIT, Duration.ofMillis(50)).ignoring(StaleElementReferenceException.class).until(condition);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "\n" + describe(), e);
    }
  }

  private String describe() {
    try {
      return "  status: " + text("status") + "\n  signin error: " + text("signin-error")
          + "\n  connections: ws " + number("conn-websocket") + " sse " + number("conn-sse") + " poll " + number("conn-poll")
          + "\n  messages in: " + number("msg-in-total") + " (" + attribute("msg-in-rate", "textContent") + "/s)"
          + "\n  top channels: " + topChannels() + "\n  nodes: " + nodes();
    } catch (RuntimeException e) {
      return "  (page unreadable: " + e.getMessage() + ")";
    }
  }

  private Path screenshot(String name) throws IOException {
    Path file = Path.of("target", "screenshots", name);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    assertTrue(Files.size(file) > 10_000, "screenshot " + file + " looks empty");
    return file;
  }

  // ---- the chat happening meanwhile --------------------------------------------------------

  /** Alice and Bob chat on chat:lobby (Bob also follows chat:side) from a thread of their own until the test ends. */
  private void startChat(int port) {
    WsClient alice = WsClient.connect(clientVertx, port, token("alice"));
    WsClient bob = WsClient.connect(clientVertx, port, token("bob"));
    alice.subscribe("chat:lobby");
    bob.subscribe("chat:lobby");
    bob.subscribe("chat:side");
    chatting.set(true);
    chat = new Thread(() -> {
      try {
        for (int i = 0; chatting.get(); i++) {
          (i % 2 == 0 ? alice : bob).send(frame("message").put("channel", "chat:lobby").put("data", "line " + i));
          Thread.sleep(100);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        alice.close();
        bob.close();
      }
    }, "admin-page-chat");
    chat.start();
  }

  // ---- tests -------------------------------------------------------------------------------

  @Test
  @DisplayName("with a service token (1280×800) the page shows the chat live: connections, message rates and counts, the channel on top, the node, health; it publishes and notifies")
  void serviceTokenDesktop() throws Exception {
    Chrome.viewport(browser, 1280, 800, false);
    WsClient carol = connect(token("carol"));
    carol.subscribe("chat:news");
    startChat(port());
    open(port());
    signIn(token("ops", "service"));
    await("the dashboard", d -> d.findElement(By.id("dashboard")).isDisplayed() && "live".equals(attribute("status", "data-state")));
    await("three WebSocket connections", d -> number("conn-websocket") == 3);
    await("messages coming in", d -> number("msg-in-total") > 0 && rate("msg-in-rate") > 0 && rate("msg-out-rate") > 0);
    await("chat:lobby on top with its 2 subscribers", d -> topChannels().size() == 3 && topChannels().get(0).equals("chat:lobby=2"));
    assertEquals(List.of("chat:lobby=2", "chat:news=1", "chat:side=1"), topChannels());
    await("a rate chart with points", d -> Integer.parseInt(attribute("chart-in", "data-points")) >= 2
        && Double.parseDouble(attribute("chart-in", "data-last")) > 0);
    assertEquals(3, number("users-online"));
    assertEquals(0, number("conn-sse"));
    assertEquals(0, number("conn-poll"));
    assertEquals(1, nodes().size(), nodes().toString());
    assertTrue(nodes().get(0).startsWith("test-node "), nodes().toString());
    assertEquals("UP", attribute("store-health", "data-status"));
    assertEquals("UP", attribute("cluster-health", "data-status"));
    assertEquals("test-node", text("served-by"));
    assertTrue(horizontalOverflow() <= 0, "the page is " + horizontalOverflow() + " px wider than the window");
    await("a few seconds charted", d -> Integer.parseInt(attribute("chart-out", "data-points")) >= 6);
    screenshot("admin-desktop.png");

    // publish through the form: carol's subscription gets it from the service the token names
    browser.findElement(By.id("publish-channel")).sendKeys("chat:news");
    browser.findElement(By.id("publish-data")).sendKeys("{\"text\":\"from the admin page\"}");
    browser.findElement(By.id("publish-kind")).sendKeys("announcement");
    browser.findElement(By.id("publish-btn")).click();
    JsonObject message = carol.next("message");
    assertEquals("service:ops", message.getString("from"));
    assertEquals("announcement", message.getString("kind"));
    assertEquals("from the admin page", message.getJsonObject("data").getString("text"));
    await("the publish result", d -> text("publish-result").equals("published on chat:news as seq " + message.getLong("seq")));

    browser.findElement(By.id("notify-user")).sendKeys("carol");
    browser.findElement(By.id("notify-data")).sendKeys("hello carol");
    browser.findElement(By.id("notify-btn")).click();
    JsonObject notification = carol.next("notification");
    assertEquals("admin_message", notification.getString("kind"));
    assertEquals("hello carol", notification.getString("data"));
    await("the notify result", d -> text("notify-result").startsWith("notification " + notification.getString("id")));

    assertEquals(List.of(), consoleErrors(), "console errors");

    // a refused action says why and keeps the credential
    browser.findElement(By.id("publish-channel")).clear();
    browser.findElement(By.id("publish-channel")).sendKeys("presence:carol");
    browser.findElement(By.id("publish-btn")).click();
    await("the refusal", d -> text("publish-result").contains("forbidden") && text("publish-result").contains("403"));
    assertTrue(browser.findElement(By.id("dashboard")).isDisplayed());

    // the credential lasts for the tab: a reload opens the dashboard again
    browser.navigate().refresh();
    await("the dashboard after a reload", d -> d.findElement(By.id("dashboard")).isDisplayed()
        && "live".equals(attribute("status", "data-state")));
  }

  @Test
  @DisplayName("with ADMIN_TOKEN at phone size (390×844) the page fits the screen, shows the chat live and publishes as service:admin")
  void adminTokenPhone() throws Exception {
    Chrome.viewport(browser, 390, 844, true);
    WsClient carol = connect(token("carol"));
    carol.subscribe("chat:lobby");
    startChat(port());
    open(port());
    signIn(AdminStatsTest.ADMIN_TOKEN);
    await("the dashboard", d -> d.findElement(By.id("dashboard")).isDisplayed() && "live".equals(attribute("status", "data-state")));
    await("the chat counted", d -> number("conn-websocket") == 3 && number("msg-in-total") > 0 && rate("msg-in-rate") > 0
        && !topChannels().isEmpty() && topChannels().get(0).equals("chat:lobby=3"));
    await("a rate chart with points", d -> Integer.parseInt(attribute("chart-out", "data-points")) >= 2);
    assertEquals(List.of(390L, 844L), browser.executeScript("return [window.innerWidth, window.innerHeight]"));
    assertTrue(horizontalOverflow() <= 0, "the page is " + horizontalOverflow() + " px wider than the phone");
    await("a few seconds charted", d -> Integer.parseInt(attribute("chart-out", "data-points")) >= 6);
    screenshot("admin-phone.png");

    WebElement channel = browser.findElement(By.id("publish-channel"));
    browser.executeScript("arguments[0].scrollIntoView({block: 'center'})", channel);
    channel.sendKeys("chat:lobby");
    browser.findElement(By.id("publish-data")).sendKeys("plain text from a phone");
    browser.findElement(By.id("publish-btn")).click();
    JsonObject message;
    do {
      message = carol.next("message");
    } while (!message.getString("from").startsWith("service:")); // the chat goes on around it
    assertEquals("service:admin", message.getString("from"));
    assertEquals("plain text from a phone", message.getString("data"));
    await("the publish result", d -> text("publish-result").startsWith("published on chat:lobby"));
    screenshot("admin-phone-publish.png");
    assertTrue(horizontalOverflow() <= 0, "the page is " + horizontalOverflow() + " px wider than the phone");
    assertEquals(List.of(), consoleErrors(), "console errors");
  }

  @Test
  @DisplayName("a wrong credential or a user token is refused: the page says why, shows no data and keeps nothing")
  void wrongCredentialRefused() throws Exception {
    Chrome.viewport(browser, 1280, 800, false);
    open(port());
    signIn("not-the-admin-token-at-all");
    await("the refusal", d -> text("signin-error").contains("unauthorized") && text("signin-error").contains("401"));
    assertFalse(browser.findElement(By.id("dashboard")).isDisplayed());
    assertEquals(null, browser.executeScript("return sessionStorage.getItem('sobranie.admin.token')"));
    screenshot("admin-refused.png");

    signIn(token("alice"));
    await("the user token refused", d -> text("signin-error").contains("forbidden") && text("signin-error").contains("403"));
    assertFalse(browser.findElement(By.id("dashboard")).isDisplayed());
    assertEquals(null, browser.executeScript("return sessionStorage.getItem('sobranie.admin.token')"));
    // A refused sign-in shows in the console as the failed request it is, and nothing else.
    assertTrue(consoleErrors().stream().allMatch(e -> e.contains("/realtime/admin/stats") && (e.contains("401") || e.contains("403"))),
        consoleErrors().toString());
  }

  @Test
  @DisplayName("on a two-node cluster the page of either node lists both nodes and the connections of both")
  void twoNodeCluster() throws Exception {
    Chrome.viewport(browser, 1280, 800, false);
    try (ClusterNodes cluster = new ClusterNodes()) {
      Map<String, String> admin = Map.of("ADMIN_TOKEN", AdminStatsTest.ADMIN_TOKEN);
      RealtimeNode a = cluster.start("node-a", "all", admin);
      RealtimeNode b = cluster.start("node-b", "all", admin);
      WsClient onA = WsClient.connect(clientVertx, a.port(), token("alice"));
      WsClient onB = WsClient.connect(clientVertx, b.port(), token("bob"));
      try {
        onA.subscribe("chat:both");
        onB.subscribe("chat:both");
        onB.publish("chat:both", "across");
        open(a.port());
        signIn(AdminStatsTest.ADMIN_TOKEN);
        await("both nodes and both sockets", d -> nodes().size() == 2 && number("conn-websocket") == 2
            && number("msg-in-total") >= 1 && topChannels().contains("chat:both=2"));
        assertEquals(List.of("node-a", "node-b"), nodes().stream().map(n -> n.split(" ")[0]).toList());
        assertEquals("2", text("nodes-reporting"));
        assertEquals("2", text("cluster-members"));
        assertEquals("UP", attribute("cluster-health", "data-status"));
        assertEquals("redis", text("store-kind"));
        screenshot("admin-cluster.png");
        open(b.port()); // another origin: its own sessionStorage
        signIn(AdminStatsTest.ADMIN_TOKEN);
        await("the same cluster from node-b", d -> "node-b".equals(text("served-by")) && nodes().size() == 2);
      } finally {
        onA.close();
        onB.close();
        // presence hears of both closes before the nodes (and their Redis connections) go
        for (int i = 0; i < 200 && a.store().presence().connectionCount("alice").await()
            + a.store().presence().connectionCount("bob").await() > 0; i++) {
          Thread.sleep(10);
        }
      }
    }
  }
}
