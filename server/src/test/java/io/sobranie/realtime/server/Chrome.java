package io.sobranie.realtime.server;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Debian Chromium through its own chromedriver (../shared/TOOLCHAIN.md, "Browser
 * tests"): no Selenium Manager, no network, a fresh profile per browser under target/.
 */
final class Chrome {
  static final String BINARY = "/usr/bin/chromium";
  static final String DRIVER = "/usr/bin/chromedriver";
  /** Held so the configured levels are not collected with the loggers. */
  private static final List<Logger> QUIET = List.of(
      Logger.getLogger("org.openqa.selenium.devtools"),
      Logger.getLogger("org.openqa.selenium.chromium"),
      Logger.getLogger("org.openqa.selenium.remote"));

  static {
    System.setProperty("SE_OFFLINE", "true"); // copied into Selenium Manager's environment, should it ever run
    QUIET.forEach(logger -> logger.setLevel(Level.SEVERE));
  }

  private Chrome() {
  }

  /** True when this machine has the browser and its driver (.ci/run installs them). */
  static boolean available() {
    return new File(BINARY).canExecute() && new File(DRIVER).canExecute();
  }

  static ChromeDriver start(String name) {
    Path profile;
    try {
      Path root = Files.createDirectories(Path.of("target", "chrome-profiles"));
      profile = Files.createTempDirectory(root, name + "-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a Chromium profile directory", e);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort()
        .withSilent(true)
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-extensions", "--window-size=1280,820", "--user-data-dir=" + profile.toAbsolutePath());
    // the console (and failed requests) readable through driver.manage().logs().get(LogType.BROWSER)
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    return new ChromeDriver(service, options);
  }

  /**
   * Lays pages out in a {@code width} × {@code height} CSS-pixel viewport, as a phone
   * ({@code mobile}: the page's viewport meta applies, scrollbars overlay) or a desktop window.
   */
  static void viewport(ChromeDriver driver, int width, int height, boolean mobile) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", mobile ? 2 : 1, "mobile", mobile));
  }

  /** Back to the window's own size. */
  static void resetViewport(ChromeDriver driver) {
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }
}
