package io.sobranie.realtime.bench;

import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code chat}: R rooms × U users, each user subscribed to its room and sending {@code message}
 * frames; an aggregate {@code --rate} spread evenly over the event loops and, on each, round-robin
 * over its users. Each accepted (acked) message is owed to the U members of its room, sender
 * included. Errors (e.g. {@code rate_limited}) are counted by code.
 */
final class ChatScenario {
  private final Bench bench;

  ChatScenario(Bench bench) {
    this.bench = bench;
  }

  JsonObject run() throws Exception {
    Options o = bench.options;
    int rooms = o.rooms();
    int users = o.users();
    String[] channels = new String[rooms];
    String[] prefixes = new String[rooms];
    String runTag = o.userPrefix().replaceAll("[^A-Za-z0-9_\\-.@]", "");
    for (int r = 0; r < rooms; r++) {
      channels[r] = "chat:bench-" + runTag + "r" + r;
      prefixes[r] = "{\"type\":\"message\",\"channel\":\"" + channels[r] + "\",\"data\":{\"bn\":";
    }
    Fleet fleet = new Fleet(bench.vertx, o, bench.loops, i -> new String[] {channels[i % rooms]});
    fleet.warmUp();
    bench.tool.mark();
    JsonObject connect = fleet.open(rooms * users);
    connect.put("tool", bench.tool.sinceMark());

    int messages = (int) Math.max(1, Math.round(o.rate() * o.durationSeconds()));
    Deliveries deliveries = new Deliveries(0, messages);
    fleet.account(deliveries);
    long failedBefore = fleet.failed() + fleet.droppedCount();
    double cpuBefore = bench.serverCpuSeconds();
    bench.tool.mark();
    long start = System.nanoTime();
    AtomicLong sent = new AtomicLong();
    CountDownLatch sendersDone = new CountDownLatch(bench.loops.size());
    int loops = bench.loops.size();
    for (int j = 0; j < loops; j++) {
      List<Conn> own = new ArrayList<>();
      for (Conn c : fleet.conns()) {
        if (c.index % loops == j) {
          own.add(c);
        }
      }
      int share = messages / loops + (j < messages % loops ? 1 : 0);
      startSender(bench.loops.get(j), own, o.rate() * share / messages, share, prefixes, rooms, sent, sendersDone);
    }
    sendersDone.await((long) (o.durationSeconds() * 1000) + 30_000, TimeUnit.MILLISECONDS);
    // Owed: U copies per acked message, so first wait (bounded) for every message to be answered.
    long answerDeadline = System.nanoTime() + (long) (o.drainSeconds() * 1e9);
    while (deliveries.acks() + deliveries.errorCount() < sent.get() && System.nanoTime() < answerDeadline) {
      Thread.sleep(20);
    }
    long expected = deliveries.acks() * users;
    bench.drain(deliveries, expected);
    double cpuAfter = bench.serverCpuSeconds();
    JsonObject tool = bench.tool.sinceMark();
    double seconds = (Math.max(deliveries.lastReceiveNanos(), start + 1) - start) / 1e9;
    JsonObject accounting = deliveries.accounting((int) sent.get(), users, expected)
        .put("sent", sent.get())
        .put("unanswered", sent.get() - deliveries.acks() - deliveries.errorCount());
    JsonObject latency = Deliveries.percentiles(deliveries.latency());
    boolean ok = accounting.getLong("lost") == 0 && accounting.getLong("duplicates") == 0
        && accounting.getLong("seqGaps") == 0 && accounting.getLong("seqRepeats") == 0
        && deliveries.errorCount() == 0 && accounting.getLong("unanswered") == 0
        && fleet.failed() + fleet.droppedCount() == failedBefore && sent.get() == messages;
    JsonObject report = new JsonObject()
        .put("rooms", rooms)
        .put("users", users)
        .put("connections", rooms * users)
        .put("rate", o.rate())
        .put("durationSeconds", o.durationSeconds())
        .put("connect", connect)
        .put("accounting", accounting)
        .put("latencyMs", latency)
        .put("deliveriesPerSecond", Math.round(deliveries.received() / seconds))
        .put("server", Bench.serverCpu(cpuBefore, cpuAfter, seconds, deliveries.received()))
        .put("tool", tool)
        .put("problems", fleet.problems())
        .put("ok", ok);
    fleet.closeAll();
    return report;
  }

  /** On one event loop: {@code total} messages at {@code rate}/s, round-robin over its ready users. */
  private static void startSender(Context loop, List<Conn> own, double rate, int total, String[] prefixes, int rooms,
                                  AtomicLong sent, CountDownLatch done) {
    loop.runOnContext(v -> {
      if (total == 0 || own.isEmpty()) {
        done.countDown();
        return;
      }
      Pacer pacer = new Pacer(rate, total);
      int[] cursor = {0};
      loop.owner().setPeriodic(Pacer.tickMs(rate), id -> {
        for (int due = pacer.due(); due > 0; due--) {
          Conn c = nextReady(own, cursor);
          if (c == null) {
            break; // nobody left to send: counted as not sent
          }
          long n = sent.getAndIncrement();
          c.send(prefixes[c.index % rooms] + n + ",\"bt\":" + System.nanoTime() + "}}");
        }
        if (pacer.done()) {
          loop.owner().cancelTimer(id);
          done.countDown();
        }
      });
    });
  }

  private static Conn nextReady(List<Conn> own, int[] cursor) {
    for (int tries = 0; tries < own.size(); tries++) {
      Conn c = own.get(cursor[0]);
      cursor[0] = (cursor[0] + 1) % own.size();
      if (c.isReady()) {
        return c;
      }
    }
    return null;
  }
}
