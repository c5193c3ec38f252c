package io.sobranie.realtime.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one load phase received, written from every tool event loop: per message number how many
 * copies arrived (losses and duplicates per message), per connection seq gaps and repeats, the
 * send→receive latency in microseconds, acks and {@code error} frames by code.
 */
final class Deliveries {
  private static final long MAX_LATENCY_US = TimeUnit.MINUTES.toMicros(2);

  /**
   * What one tool thread received. Every delivery touches only its own thread's lane: counters
   * shared by the event loops made the two cores fight over cache lines on every message.
   * (Atomics only so the end-of-phase read is safe; uncontended, they cost little.)
   */
  private static final class Lane {
    final AtomicIntegerArray copies;
    final Recorder latency = new Recorder(MAX_LATENCY_US, 3);
    final AtomicLong lastReceiveNanos = new AtomicLong();

    Lane(int capacity) {
      copies = new AtomicIntegerArray(capacity);
    }
  }

  private final long base;
  private final int capacity;
  private final Queue<Lane> lanes = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<Lane> lane;
  private final LongAdder received = new LongAdder();
  private final LongAdder foreign = new LongAdder();
  private final LongAdder seqGaps = new LongAdder();
  private final LongAdder seqRepeats = new LongAdder();
  private final LongAdder acks = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  /** Counts messages numbered {@code base} .. {@code base + capacity - 1}; others are foreign (e.g. late ones of an earlier step). */
  Deliveries(long base, int capacity) {
    this.base = base;
    this.capacity = Math.max(1, capacity);
    this.lane = ThreadLocal.withInitial(() -> {
      Lane created = new Lane(this.capacity);
      lanes.add(created);
      return created;
    });
  }

  /** A {@code message} carrying the tool's payload arrived. */
  void delivered(long number, long sentNanos) {
    long now = System.nanoTime();
    long index = number - base;
    if (index < 0 || index >= capacity || sentNanos <= 0) {
      foreign.increment();
      return;
    }
    Lane mine = lane.get();
    mine.copies.incrementAndGet((int) index);
    received.increment();
    mine.lastReceiveNanos.lazySet(now);
    mine.latency.recordValue(Math.min(MAX_LATENCY_US, Math.max(0, (now - sentNanos) / 1000)));
  }

  /** A connection saw seq jump past last + 1 (a hole) or not advance (a repeat or reordering). */
  void seqGap() {
    seqGaps.increment();
  }

  void seqRepeat() {
    seqRepeats.increment();
  }

  void ack() {
    acks.increment();
  }

  void error(String code) {
    errors.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  long received() {
    return received.sum();
  }

  long acks() {
    return acks.sum();
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long lastReceiveNanos() {
    long last = 0;
    for (Lane each : lanes) {
      last = Math.max(last, each.lastReceiveNanos.get());
    }
    return last;
  }

  /** The latency histogram so far (microseconds); call once, at the end of the phase. */
  Histogram latency() {
    Histogram all = new Histogram(MAX_LATENCY_US, 3);
    for (Lane each : lanes) {
      all.add(each.latency.getIntervalHistogram());
    }
    return all;
  }

  private int copies(int index) {
    int sum = 0;
    for (Lane each : lanes) {
      sum += each.copies.get(index);
    }
    return sum;
  }

  /**
   * Accounting of the first {@code messages} numbers of this phase, each owed to {@code perMessage}
   * receivers; {@code expected} deliveries in all (the server may have refused some messages).
   * Copies beyond {@code perMessage} are duplicates; a message with fewer is incomplete.
   */
  JsonObject accounting(int messages, int perMessage, long expected) {
    long got = received.sum();
    long duplicates = 0;
    long incomplete = 0;
    for (int i = 0; i < Math.min(messages, capacity); i++) {
      int c = copies(i);
      if (c > perMessage) {
        duplicates += c - perMessage;
      }
      if (c < perMessage) {
        incomplete++;
      }
    }
    JsonObject errorCounts = new JsonObject();
    new TreeMap<>(errors).forEach((code, n) -> errorCounts.put(code, n.sum()));
    return new JsonObject()
        .put("expected", expected)
        .put("received", got)
        .put("lost", Math.max(0, expected - got + duplicates))
        .put("duplicates", duplicates)
        .put("messagesIncomplete", incomplete)
        .put("seqGaps", seqGaps.sum())
        .put("seqRepeats", seqRepeats.sum())
        .put("foreign", foreign.sum())
        .put("acks", acks.sum())
        .put("errors", errorCounts);
  }

  /** Percentiles in milliseconds. */
  static JsonObject percentiles(Histogram h) {
    return new JsonObject()
        .put("count", h.getTotalCount())
        .put("p50", ms(h.getValueAtPercentile(50)))
        .put("p95", ms(h.getValueAtPercentile(95)))
        .put("p99", ms(h.getValueAtPercentile(99)))
        .put("p999", ms(h.getValueAtPercentile(99.9)))
        .put("max", ms(h.getMaxValue()))
        .put("mean", Math.round(h.getMean()) / 1000.0);
  }

  static double ms(long micros) {
    return micros / 1000.0;
  }
}
