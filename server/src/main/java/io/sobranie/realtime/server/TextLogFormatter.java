package io.sobranie.realtime.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * {@code LOG_FORMAT=text}: one line per event, {@code time level logger - message}, with every
 * control character of the message escaped ({@code \n} as {@code \\n}, others as {@code \\uXXXX}).
 * Log lines quote things clients sent (an Origin, a channel name, a user agent); escaped, no
 * client can start a forged line. Stack traces of a record's exception follow unescaped: they
 * come from our code, not from clients.
 */
final class TextLogFormatter extends Formatter {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS")
      .withZone(ZoneId.systemDefault());

  /** Puts this format on every handler of the root logger (the console handler by default). */
  static void install() {
    for (Handler handler : LogManager.getLogManager().getLogger("").getHandlers()) {
      handler.setFormatter(new TextLogFormatter());
    }
  }

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(128)
        .append(TIME.format(record.getInstant())).append(' ')
        .append(record.getLevel().getName()).append(' ')
        .append(record.getLoggerName()).append(" - ");
    escape(formatMessage(record), line);
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
    }
    return line.append(System.lineSeparator()).toString();
  }

  /** Appends {@code text} with its control characters (line breaks included) written as escapes. */
  static void escape(String text, StringBuilder out) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
  }
}
