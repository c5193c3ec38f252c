package io.sobranie.realtime.server;

import java.util.logging.LogManager;

/**
 * The JDK's log manager, except that its own shutdown hook does not switch logging off: that hook
 * runs beside ours, and used to silence the graceful shutdown (its "shutting down" line and
 * everything after it). Console handlers flush every record, so nothing waits for the reset.
 * {@link Main} installs it through {@code java.util.logging.manager} before any logger exists.
 */
public final class ServerLogManager extends LogManager {
  @Override
  public void reset() {
    if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
      return; // LogManager$Cleaner, the JDK's shutdown hook
    }
    super.reset();
  }
}
