package io.sobranie.realtime.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page ({@code GET /realtime/demo}) driven through its stable element ids, the way a
 * person uses it. Every wait is bounded; a timeout fails with what the page showed instead.
 */
final class DemoPage {
  static final Duration WAIT = Duration.ofSeconds(15);

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

  DemoPage join(String room) {
    WebElement input = driver.findElement(By.id("room-input"));
    input.sendKeys(room);
    driver.findElement(By.id("join-btn")).click();
    await("room " + room + " selected", d -> ("chat:" + room).equals(d.findElement(By.id("room-title")).getText()));
    return this;
  }

  void send(String text) {
    WebElement input = driver.findElement(By.id("message-input"));
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER);
  }

  /** Types into the message field without sending. */
  void type(String text) {
    driver.findElement(By.id("message-input")).sendKeys(text);
  }

  /** Empties the message field the way a person does (each keystroke is an input event). */
  void clearInput() {
    WebElement input = driver.findElement(By.id("message-input"));
    while (!input.getAttribute("value").isEmpty()) {
      input.sendKeys(Keys.BACK_SPACE);
    }
  }

  /** The shown room's delivered messages as "from: text", oldest first (pending ones excluded). */
  List<String> messages() {
    return retry(() -> driver.findElements(By.cssSelector("#messages li.msg")).stream()
        .map(li -> li.getAttribute("data-from") + ": " + li.findElement(By.className("text")).getText())
        .toList());
  }

  /** The shown room's delivered seqs, in display order. */
  List<Long> seqs() {
    return retry(() -> driver.findElements(By.cssSelector("#messages li.msg")).stream()
        .map(li -> Long.parseLong(li.getAttribute("data-seq"))).toList());
  }

  /** Waits until the shown room's messages are exactly {@code expected} (order and count). */
  void awaitMessages(List<String> expected) {
    await("messages " + expected, d -> messages().equals(expected));
  }

  String typing() {
    return driver.findElement(By.id("typing")).getText();
  }

  /** The status the online list shows for {@code user} ("online", "offline"), or null when not listed. */
  String presenceOf(String user) {
    return retry(() -> driver.findElements(By.cssSelector("#online li")).stream()
        .filter(li -> user.equals(li.getAttribute("data-user")))
        .map(li -> li.getAttribute("data-status")).findFirst().orElse(null));
  }

  int badge() {
    return Integer.parseInt(driver.findElement(By.id("badge")).getAttribute("data-count"));
  }

  List<String> notifications() {
    return retry(() -> driver.findElements(By.cssSelector("#notifications li")).stream().map(WebElement::getText).toList());
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
      return "  connection: " + conn("data-state") + " " + conn("data-transport") + " (" + connText() + ")"
          + "\n  messages: " + messages() + "\n  typing: '" + typing() + "'"
          + "\n  online: " + driver.findElement(By.id("online")).getText().replace('\n', ',')
          + "\n  badge: " + driver.findElement(By.id("badge")).getAttribute("data-count")
          + "\n  recovery: " + recoveryChannels()
          + "\n  log:\n" + driver.findElement(By.id("log")).getAttribute("textContent");
    } catch (RuntimeException e) {
      return "  (page unreadable: " + e.getMessage() + ")";
    }
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
