package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Orders one sequenced stream (a channel, {@code broadcast} or {@code notifications}) for the app:
 * delivers seq {@code last + 1}, drops seq {@code <= last} (a replay overlapping what was seen),
 * holds later ones until the gap fills. {@code last} null means "no baseline yet": the next event is
 * taken as it comes. The same rules as the browser client's {@code Sequencer}. Loop thread only,
 * except the volatile position that {@link Subscription#position()} reads.
 */
final class Sequencer {
  enum Outcome { DELIVERED, DUPLICATE, HELD }

  private final Consumer<JsonNode> deliver;
  private final TreeMap<Long, JsonNode> held = new TreeMap<>();
  private volatile Long last;
  private volatile String epoch;

  Sequencer(Consumer<JsonNode> deliver) {
    this.deliver = deliver;
  }

  Outcome accept(long seq, JsonNode event) {
    Long baseline = last;
    if (baseline != null && seq <= baseline) {
      return Outcome.DUPLICATE;
    }
    if (baseline != null && seq > baseline + 1) {
      held.putIfAbsent(seq, event);
      return Outcome.HELD;
    }
    last = seq;
    deliver.accept(event);
    drain();
    return Outcome.DELIVERED;
  }

  /** A new baseline (null: take what comes next); held events beyond it are delivered in order. */
  void reset(Long baseline) {
    last = baseline;
    if (baseline == null && !held.isEmpty()) {
      Map.Entry<Long, JsonNode> first = held.pollFirstEntry();
      last = first.getKey();
      deliver.accept(first.getValue());
    }
    drain();
  }

  /** Gives up on the gap: delivers what is held, in order, skipping the missing seqs. */
  void skipGap() {
    while (!held.isEmpty()) {
      Map.Entry<Long, JsonNode> first = held.pollFirstEntry();
      last = first.getKey();
      deliver.accept(first.getValue());
      drain();
    }
  }

  boolean holding() {
    return !held.isEmpty();
  }

  Long last() {
    return last;
  }

  String epoch() {
    return epoch;
  }

  void epoch(String epoch) {
    this.epoch = epoch;
  }

  private void drain() {
    while (last != null && held.containsKey(last + 1)) {
      JsonNode next = held.remove(last + 1);
      last = last + 1;
      deliver.accept(next);
    }
    if (last != null) {
      held.headMap(last, true).clear();
    }
  }
}
