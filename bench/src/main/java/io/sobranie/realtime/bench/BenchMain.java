package io.sobranie.realtime.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code java -jar realtime-bench.jar SCENARIO [options]}: runs one scenario, prints a readable
 * summary, then exactly one JSON line (starting with {@code {"scenario":}) on stdout. Exit code 0
 * when the run met its own checks ({@code ok}), 1 otherwise, 2 on bad usage.
 */
public final class BenchMain {
  private BenchMain() {
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(Options.USAGE);
      System.exit(2);
      return;
    }
    JsonObject report;
    try {
      report = run(options);
    } catch (Exception e) {
      System.err.println("error: the run failed: " + e);
      e.printStackTrace();
      System.exit(1);
      return;
    }
    printSummary(report, System.out, "");
    System.out.println(report.encode());
    if (options.jsonOut() != null) {
      try {
        Files.writeString(Path.of(options.jsonOut()), report.encode() + "\n");
      } catch (IOException e) {
        System.err.println("error: cannot write " + options.jsonOut() + ": " + e.getMessage());
      }
    }
    System.exit(report.getBoolean("ok", false) ? 0 : 1);
  }

  /** Runs the scenario and answers its report (also used by the tests, in-JVM). */
  public static JsonObject run(Options options) throws Exception {
    JsonObject report = new JsonObject()
        .put("scenario", options.scenario())
        .put("date", Instant.now().toString())
        .put("urls", String.join(",", options.urls()))
        .put("threads", options.threads())
        .put("bind", String.join(",", options.bind()));
    try (Bench bench = new Bench(options)) {
      JsonObject result = switch (options.scenario()) {
        case "idle" -> new IdleScenario(bench).run();
        case "broadcast" -> new BroadcastScenario(bench).run();
        case "chat" -> new ChatScenario(bench).run();
        default -> throw new IllegalArgumentException(options.scenario());
      };
      return report.mergeIn(result);
    }
  }

  /** {@code key: value} lines, nested objects indented: for people; the JSON line is for programs. */
  static void printSummary(JsonObject json, PrintStream out, String indent) {
    json.forEach(e -> {
      if (e.getValue() instanceof JsonObject nested) {
        out.println(indent + e.getKey() + ":");
        printSummary(nested, out, indent + "  ");
      } else if (e.getValue() instanceof io.vertx.core.json.JsonArray array && !array.isEmpty()
          && array.getValue(0) instanceof JsonObject) {
        for (int i = 0; i < array.size(); i++) {
          out.println(indent + e.getKey() + "[" + i + "]:");
          printSummary(array.getJsonObject(i), out, indent + "  ");
        }
      } else {
        out.println(indent + e.getKey() + ": " + e.getValue());
      }
    });
  }
}
