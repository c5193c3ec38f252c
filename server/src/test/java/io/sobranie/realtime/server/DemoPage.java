package io.sobranie.realtime.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
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
 * The demo page ({@code GET /realtime/demo}) driven through its stable element ids, the way a
 * person uses it: on a phone-sized layout it first taps the tab that shows the panel it needs,
 * and notifications are read by opening the bell's panel. Every wait is bounded; a timeout fails
 * with what the page showed instead.
 */
final class DemoPage {
  static final Duration WAIT = Duration.ofSeconds(15);
  /** The panel each tab of the phone layout shows. */
  private static final Map<String, String> VIEWS = Map.of("rooms", "rooms-panel", "chat", "chat", "people", "people-panel");

  final ChromeDriver driver;
  final String name;

  DemoPage(ChromeDriver driver, String name) {
    this.driver = driver;
    this.name = name;
  }

  /** Opens the demo at {@code base} (e.g. http://127.0.0.1:8080) with an optional query. */
  DemoPage open(String base, String query) {
    driver.get(base + "/realtime/demo" + (query == null || query.isEmpty() ? "" : "?" + query));
    return this;
  }

  /** Signs in with the DEV_MODE name field, which the page shows only when the server has DEV_MODE. */
  DemoPage signIn(String user) {
    await("the DEV_MODE sign-in form", d -> d.findElement(By.id("dev-signin")).isDisplayed());
    WebElement field = driver.findElement(By.id("dev-name"));
    field.clear();
    field.sendKeys(user);
    driver.findElement(By.id("dev-signin-btn")).click();
    await("the signed-in app", d -> d.findElement(By.id("app")).isDisplayed()
        && user.equals(d.findElement(By.id("me")).getText()));
    return this;
  }

  /** Signs in by pasting a token (the way without DEV_MODE). */
  DemoPage signInWithToken(String token, String user) {
    WebElement field = driver.findElement(By.id("token-input"));
    field.clear();
    field.sendKeys(token);
    driver.findElement(By.id("token-signin-btn")).click();
    await("the signed-in app", d -> d.findElement(By.id("app")).isDisplayed()
        && user.equals(d.findElement(By.id("me")).getText()));
    return this;
  }

  /** Waits until the connection indicator says connected over {@code transport}. */
  DemoPage awaitTransport(String transport) {
    await("connected over " + transport, d -> "connected".equals(conn("data-state")) && transport.equals(conn("data-transport")));
    return this;
  }

  String conn(String attribute) {
    return driver.findElement(By.id("conn")).getAttribute(attribute);
  }

  String connText() {
    return driver.findElement(By.id("conn")).getText();
  }

  /** True when the page shows its phone layout (one panel at a time, a tab bar to switch). */
  boolean phoneLayout() {
    return driver.findElement(By.id("tabs")).isDisplayed();
  }

  /**
   * Makes the panel of {@code view} ("rooms", "chat", "people") visible: on the phone layout by
   * closing the notifications sheet and tapping its tab; on wider layouts every panel already is.
   */
  DemoPage view(String view) {
    String panel = VIEWS.get(view);
    if (panel == null) {
      throw new IllegalArgumentException("no view " + view);
    }
    if (!phoneLayout()) {
      return this;
    }
    closeNotifications();
    if (!driver.findElement(By.id(panel)).isDisplayed()) {
      driver.findElement(By.id("tab-" + view)).click();
      await("the " + view + " panel shown", d -> d.findElement(By.id(panel)).isDisplayed());
    }
    return this;
  }

  /** Opens the notifications panel with the bell (when not open yet). */
  DemoPage openNotifications() {
    if (!driver.findElement(By.id("notif-panel")).isDisplayed()) {
      driver.findElement(By.id("bell")).click();
      await("the notifications panel open", d -> d.findElement(By.id("notif-panel")).isDisplayed());
    }
    return this;
  }

  /** Closes the notifications panel with the bell (when open). */
  DemoPage closeNotifications() {
    if (driver.findElement(By.id("notif-panel")).isDisplayed()) {
      driver.findElement(By.id("bell")).click();
      await("the notifications panel closed", d -> !d.findElement(By.id("notif-panel")).isDisplayed());
    }
    return this;
  }

  DemoPage join(String room) {
    closeNotifications();
    view("rooms");
    WebElement input = driver.findElement(By.id("room-input"));
    input.sendKeys(room);
    driver.findElement(By.id("join-btn")).click();
    await("room " + room + " selected", d -> ("chat:" + room).equals(roomChannel()));
    await("room " + room + " titled # " + room, d -> ("# " + room).equals(roomTitle()));
    return this;
  }

  /** The channel of the room shown (chat:lobby). */
  String roomChannel() {
    return driver.findElement(By.id("room-title")).getAttribute("data-channel");
  }

  /** The room title above the chat as shown (# lobby). */
  String roomTitle() {
    view("chat");
    return driver.findElement(By.id("room-title")).getText();
  }

  void send(String text) {
    closeNotifications();
    view("chat");
    WebElement input = driver.findElement(By.id("message-input"));
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER);
  }

  /** Types into the message field without sending. */
  void type(String text) {
    closeNotifications();
    view("chat");
    driver.findElement(By.id("message-input")).sendKeys(text);
  }

  /** Empties the message field the way a person does (each keystroke is an input event). */
  void clearInput() {
    view("chat");
    WebElement input = driver.findElement(By.id("message-input"));
    while (!input.getAttribute("value").isEmpty()) {
      input.sendKeys(Keys.BACK_SPACE);
    }
  }

  /** The shown room's delivered messages as "from: text", oldest first (pending ones excluded). */
  List<String> messages() {
    view("chat");
    return retry(() -> driver.findElements(By.cssSelector("#messages li.msg")).stream()
        .map(li -> li.getAttribute("data-from") + ": " + li.findElement(By.className("text")).getText())
        .toList());
  }

  /** The shown room's delivered seqs, in display order. */
  List<Long> seqs() {
    view("chat");
    return retry(() -> driver.findElements(By.cssSelector("#messages li.msg")).stream()
        .map(li -> Long.parseLong(li.getAttribute("data-seq"))).toList());
  }

  /** Waits until the shown room's messages are exactly {@code expected} (order and count). */
  void awaitMessages(List<String> expected) {
    await("messages " + expected, d -> messages().equals(expected));
  }

  String typing() {
    view("chat");
    return driver.findElement(By.id("typing")).getText();
  }

  /** The status the online list shows for {@code user} ("online", "offline"), or null when not listed. */
  String presenceOf(String user) {
    view("people");
    return retry(() -> driver.findElements(By.cssSelector("#online li")).stream()
        .filter(li -> user.equals(li.getAttribute("data-user")) && li.isDisplayed() && li.getText().contains(user))
        .map(li -> li.getAttribute("data-status")).findFirst().orElse(null));
  }

  int badge() {
    return Integer.parseInt(driver.findElement(By.id("badge")).getAttribute("data-count"));
  }

  /** The notifications listed, newest first, as shown in the bell's panel (opened for reading). */
  List<String> notifications() {
    openNotifications();
    return retry(() -> driver.findElements(By.cssSelector("#notifications li")).stream().map(WebElement::getText).toList());
  }

  /** How many listed notifications are highlighted as unread (the bell's panel opened for reading). */
  long unreadHighlighted() {
    openNotifications();
    return retry(() -> driver.findElements(By.cssSelector("#notifications li.unread")).stream().filter(WebElement::isDisplayed).count());
  }

  /** "Mark all read" in the bell's panel. */
  void markAllRead() {
    openNotifications();
    click("mark-read-btn");
  }

  /** "Send me a test notification" in the bell's panel (DEV_MODE). */
  void sendTestNotification() {
    openNotifications();
    click("notify-me-btn");
  }

  /** The recovery banner's text as shown. */
  String recoveryText() {
    return driver.findElement(By.id("recovery-text")).getText();
  }

  /** How far the page is wider than the viewport, in CSS pixels (0 or less: no sideways scrolling). */
  long horizontalOverflow() {
    return ((Number) driver.executeScript(
        "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth;")).longValue();
  }

  /**
   * Shown elements that scroll sideways (overflow-x auto or scroll, content wider than the box),
   * as "tag#id.class" — a page that fits can still hide a sideways scroll inside a panel.
   */
  @SuppressWarnings("unchecked")
  List<String> sidewaysScrollers() {
    return (List<String>) driver.executeScript("""
        return [...document.querySelectorAll('body *')].filter(e => {
          const x = getComputedStyle(e).overflowX;
          return (x === 'auto' || x === 'scroll') && e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1;
        }).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));""");
  }

  /** window.innerWidth × innerHeight. */
  List<Long> viewportSize() {
    @SuppressWarnings("unchecked")
    List<Number> size = (List<Number>) driver.executeScript("return [window.innerWidth, window.innerHeight];");
    return size.stream().map(Number::longValue).toList();
  }

  /** The element's box in the viewport: left, top, width, height (CSS pixels). */
  List<Double> box(String id) {
    @SuppressWarnings("unchecked")
    List<Number> box = (List<Number>) driver.executeScript(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect(); return [r.left, r.top, r.width, r.height];", id);
    return box.stream().map(Number::doubleValue).toList();
  }

  /** Console errors and failed requests (SEVERE browser log entries) since the last call; reading empties the log. */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).toList();
  }

  boolean recoveryShown() {
    return driver.findElement(By.id("recovery")).isDisplayed();
  }

  String recoveryChannels() {
    return driver.findElement(By.id("recovery")).getAttribute("data-channels");
  }

  void click(String id) {
    driver.findElement(By.id(id)).click();
  }

  /** Saves a PNG of the page. */
  Path screenshot(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
    return Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Waits (bounded) for a condition; on timeout fails with what the page showed. */
  void await(String what, Function<WebDriver, Boolean> condition) {
    await(what, WAIT, condition);
  }

  void await(String what, Duration timeout, Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(driver, timeout, Duration.ofMillis(50)).ignoring(StaleElementReferenceException.class).until(condition);
    } catch (TimeoutException e) {
      throw new AssertionError(name + ": timed out after " + timeout.toMillis() + " ms waiting for " + what + "\n" + describe(), e);
    }
  }

  /** What the page shows, for failure messages. */
  String describe() {
    try {
      // textContent, not getText(): describing the page must not switch its views
      return "  connection: " + conn("data-state") + " " + conn("data-transport") + " (" + text("conn") + ")"
          + "\n  view: " + driver.findElement(By.id("app")).getAttribute("data-view")
          + "\n  room: " + roomChannel() + " '" + text("room-title") + "'"
          + "\n  messages: " + driver.executeScript("return [...document.querySelectorAll('#messages li.msg')]"
          + ".map(li => li.dataset.from + ': ' + li.querySelector('.text').textContent)")
          + "\n  typing: '" + text("typing") + "'"
          + "\n  online: " + driver.executeScript("return [...document.querySelectorAll('#online li')]"
          + ".map(li => li.dataset.user + ' ' + li.dataset.status)")
          + "\n  badge: " + driver.findElement(By.id("badge")).getAttribute("data-count")
          + "\n  notifications: " + driver.executeScript("return [...document.querySelectorAll('#notifications li')]"
          + ".map(li => (li.classList.contains('unread') ? '(unread) ' : '') + li.textContent)")
          + "\n  recovery: " + recoveryChannels() + " '" + text("recovery-text") + "'"
          + "\n  log:\n" + driver.findElement(By.id("log")).getAttribute("textContent");
    } catch (RuntimeException e) {
      return "  (page unreadable: " + e.getMessage() + ")";
    }
  }

  private String text(String id) {
    return driver.findElement(By.id(id)).getAttribute("textContent");
  }

  private static <T> T retry(java.util.function.Supplier<T> read) {
    for (int i = 0; ; i++) {
      try {
        return read.get();
      } catch (StaleElementReferenceException e) {
        if (i == 5) {
          throw e;
        }
      }
    }
  }
}
