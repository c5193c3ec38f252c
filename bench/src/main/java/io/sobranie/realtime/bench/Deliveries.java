package io.sobranie.realtime.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
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

  private final long base;
  private final AtomicIntegerArray copies;
  private final Recorder latency = new Recorder(MAX_LATENCY_US, 3);
  private final LongAdder received = new LongAdder();
  private final LongAdder foreign = new LongAdder();
  private final LongAdder seqGaps = new LongAdder();
  private final LongAdder seqRepeats = new LongAdder();
  private final LongAdder acks = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private volatile long lastReceiveNanos;

  /** Counts messages numbered {@code base} .. {@code base + capacity - 1}; others are foreign (e.g. late ones of an earlier step). */
  Deliveries(long base, int capacity) {
    this.base = base;
    this.copies = new AtomicIntegerArray(Math.max(1, capacity));
  }

  /** A {@code message} carrying the tool's payload arrived. */
  void delivered(long number, long sentNanos) {
    long now = System.nanoTime();
    long index = number - base;
    if (index < 0 || index >= copies.length() || sentNanos <= 0) {
      foreign.increment();
      return;
    }
    copies.incrementAndGet((int) index);
    received.increment();
    lastReceiveNanos = now;
    latency.recordValue(Math.min(MAX_LATENCY_US, Math.max(0, (now - sentNanos) / 1000)));
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
    return lastReceiveNanos;
  }

  /** The latency histogram so far (microseconds); call once, at the end of the phase. */
  Histogram latency() {
    return latency.getIntervalHistogram();
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
    for (int i = 0; i < Math.min(messages, copies.length()); i++) {
      int c = copies.get(i);
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
