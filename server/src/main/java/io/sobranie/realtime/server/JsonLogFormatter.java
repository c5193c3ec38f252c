package io.sobranie.realtime.server;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * {@code LOG_FORMAT=json}: one JSON object per line, {@code {"time","level","logger","message"}}
 * plus {@code "error"} (the stack trace) when the record carries an exception, for log
 * collectors that parse JSON. The message is the same text as in the plain format.
 */
final class JsonLogFormatter extends Formatter {

  /** Puts this format on every handler of the root logger (the console handler by default). */
  static void install() {
    for (Handler handler : LogManager.getLogManager().getLogger("").getHandlers()) {
      handler.setFormatter(new JsonLogFormatter());
    }
  }

  @Override
  public String format(LogRecord record) {
    JsonObject line = new JsonObject()
        .put("time", Instant.ofEpochMilli(record.getMillis()).toString())
        .put("level", record.getLevel().getName())
        .put("logger", record.getLoggerName())
        .put("message", formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("error", trace.toString());
    }
    return line.encode() + System.lineSeparator();
  }
}
