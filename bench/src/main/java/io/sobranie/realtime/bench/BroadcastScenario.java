package io.sobranie.realtime.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code broadcast}: N subscribers of one channel; a service publishes at {@code --rate} for
 * {@code --duration}. Every subscriber must get every accepted message exactly once, in seq
 * order. With {@code --step}, N grows after each passing run until p95 > 500 ms, a failure or a
 * loss (or {@code --max-connections}); the last passing N is the knee. {@code ok} means delivery
 * was complete and correct; latency is left to the reader, except for the knee rule.
 */
final class BroadcastScenario {
  static final double KNEE_P95_MS = 500;

  private final Bench bench;
  private long nextNumber;

  BroadcastScenario(Bench bench) {
    this.bench = bench;
  }

  JsonObject run() throws Exception {
    Options o = bench.options;
    String channel = o.channel();
    Fleet fleet = new Fleet(bench.vertx, o, bench.loops, i -> new String[] {channel});
    Publisher publisher = new Publisher(bench.loops.get(0), o, channel);
    JsonArray steps = new JsonArray();
    int target = o.connections();
    int knee = 0;
    JsonObject last;
    fleet.warmUp();
    while (true) {
      bench.tool.mark();
      JsonObject connect = fleet.open(target - fleet.conns().size());
      connect.put("tool", bench.tool.sinceMark());
      awaitStart(o.startFile(), fleet.ready());
      last = phase(fleet, publisher).put("connections", target).put("connect", connect);
      steps.add(last);
      boolean pass = last.getBoolean("ok") && last.getJsonObject("latencyMs").getDouble("p95") <= KNEE_P95_MS;
      System.err.printf("broadcast N=%d p95=%.1f ms lost=%d failed=%d -> %s%n", target,
          last.getJsonObject("latencyMs").getDouble("p95"), last.getJsonObject("accounting").getLong("lost"),
          fleet.failed(), pass ? "pass" : "fail");
      if (pass) {
        knee = target;
      }
      if (o.step() == null || !pass || target >= o.maxConnections()) {
        break;
      }
      target = Math.min(o.maxConnections(), next(target, o.step()));
    }
    publisher.close().await(10, TimeUnit.SECONDS);
    JsonObject report = new JsonObject()
        .put("channel", channel)
        .put("rate", o.rate())
        .put("durationSeconds", o.durationSeconds());
    if (o.step() == null) {
      report.mergeIn(last);
    } else {
      report.put("step", o.step()).put("knee", knee).put("kneeRule", "p95 <= " + KNEE_P95_MS + " ms, no failure, no loss")
          .put("steps", steps).put("ok", knee > 0);
    }
    report.put("problems", fleet.problems());
    fleet.closeAll();
    return report;
  }

  /** With {@code --start-file}: says it is ready, then waits (bounded) for the file that says go. */
  private static void awaitStart(String startFile, int ready) throws InterruptedException {
    if (startFile == null) {
      return;
    }
    System.err.println("ready " + ready + " subscribers; waiting for " + startFile);
    Path go = Path.of(startFile);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (!Files.exists(go)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + startFile + " within 30 minutes");
      }
      Thread.sleep(200);
    }
  }

  static int next(int n, String step) {
    return step.startsWith("x")
        ? Math.max(n + 1, (int) Math.round(n * Double.parseDouble(step.substring(1))))
        : n + Integer.parseInt(step.substring(1));
  }

  /** One publish run against the subscribers ready now. */
  private JsonObject phase(Fleet fleet, Publisher publisher) throws Exception {
    Options o = bench.options;
    int subscribers = fleet.ready();
    int messages = (int) Math.max(1, Math.round(o.rate() * o.durationSeconds()));
    Deliveries deliveries = new Deliveries(nextNumber, messages);
    fleet.account(deliveries);
    long failedBefore = fleet.failed() + fleet.droppedCount();
    double cpuBefore = bench.serverCpuSeconds();
    bench.tool.mark();
    long start = System.nanoTime();
    JsonObject published = publisher.run(o.rate(), messages, nextNumber)
        .await((long) (o.durationSeconds() * 1000) + 30_000, TimeUnit.MILLISECONDS);
    nextNumber += messages;
    long expected = (long) published.getInteger("accepted") * subscribers;
    bench.drain(deliveries, expected);
    double cpuAfter = bench.serverCpuSeconds();
    JsonObject tool = bench.tool.sinceMark();
    long end = Math.max(deliveries.lastReceiveNanos(), start + 1);
    double seconds = (end - start) / 1e9;
    JsonObject accounting = deliveries.accounting(messages, subscribers, expected);
    JsonObject latency = Deliveries.percentiles(deliveries.latency());
    boolean ok = accounting.getLong("lost") == 0 && accounting.getLong("duplicates") == 0
        && accounting.getLong("seqGaps") == 0 && accounting.getLong("seqRepeats") == 0
        && fleet.failed() + fleet.droppedCount() == failedBefore && subscribers > 0
        && published.getInteger("accepted") == messages;
    return new JsonObject()
        .put("subscribers", subscribers)
        .put("publisher", published)
        .put("accounting", accounting)
        .put("latencyMs", latency)
        .put("deliveriesPerSecond", Math.round(deliveries.received() / seconds))
        .put("server", Bench.serverCpu(cpuBefore, cpuAfter, seconds, deliveries.received()))
        .put("tool", tool)
        .put("ok", ok);
  }
}
