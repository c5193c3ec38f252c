package io.sobranie.realtime.bench;

import io.vertx.core.json.JsonObject;

/**
 * {@code idle}: N connections × K subscriptions, held for {@code --duration}. Reports the connect
 * rate and failures and, given {@code --server-pid}, the server's heap after a full GC and its RSS
 * per connection (after − before, divided by the connections ready).
 */
final class IdleScenario {
  private final Bench bench;

  IdleScenario(Bench bench) {
    this.bench = bench;
  }

  JsonObject run() throws InterruptedException {
    Options o = bench.options;
    String prefix = o.channel().startsWith("post:bench-") ? "post:idle" : o.channel();
    int rooms = o.rooms();
    int k = o.subscriptions();
    Fleet fleet = new Fleet(bench.vertx, o, bench.loops, i -> {
      String[] channels = new String[k];
      for (int j = 0; j < k; j++) {
        channels[j] = prefix + "-" + ((i * k + j) % rooms);
      }
      return channels;
    });
    JsonObject before = bench.server == null ? null : bench.server.memory();
    fleet.warmUp();
    bench.tool.mark();
    JsonObject connect = fleet.open(o.connections());
    connect.put("tool", bench.tool.sinceMark());
    bench.tool.mark();
    Bench.hold(o.durationSeconds());
    JsonObject hold = new JsonObject().put("seconds", o.durationSeconds()).put("openAtEnd", fleet.ready())
        .put("tool", bench.tool.sinceMark());
    JsonObject report = new JsonObject()
        .put("connections", o.connections())
        .put("subscriptions", k)
        .put("channels", prefix + "-0.." + (rooms - 1))
        .put("connect", connect)
        .put("hold", hold);
    if (bench.server != null) {
      JsonObject after = bench.server.memory();
      int ready = Math.max(1, fleet.ready());
      report.put("server", new JsonObject()
          .put("pid", o.serverPid())
          .put("before", before)
          .put("after", after)
          .put("heapBytesPerConnection", perConnection(before, after, "heapAfterGcKb", ready))
          .put("rssBytesPerConnection", perConnection(before, after, "rssKb", ready)));
    }
    report.put("problems", fleet.problems());
    report.put("ok", fleet.failed() == 0 && fleet.droppedCount() == 0);
    fleet.closeAll();
    return report;
  }

  private static long perConnection(JsonObject before, JsonObject after, String key, int connections) {
    long b = before.getLong(key);
    long a = after.getLong(key);
    return b < 0 || a < 0 ? -1 : Math.round((a - b) * 1024.0 / connections);
  }
}
