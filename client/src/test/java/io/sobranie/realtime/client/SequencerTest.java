package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ordering rules every stream goes through before the app sees it. */
class SequencerTest {
  private final List<Long> delivered = new ArrayList<>();
  private final Sequencer sequencer = new Sequencer(e -> delivered.add(e.path("seq").asLong()));

  private static JsonNode event(long seq) {
    return JsonNodeFactory.instance.objectNode().put("seq", seq);
  }

  private Sequencer.Outcome accept(long seq) {
    return sequencer.accept(seq, event(seq));
  }

  @Test
  @DisplayName("reordered, duplicated events reach the app once each, in seq order")
  void reorderedAndDuplicated() {
    sequencer.reset(0L);
    List<Long> arrivals = new ArrayList<>();
    for (long seq = 1; seq <= 200; seq++) {
      arrivals.add(seq);
      arrivals.add(seq); // every event twice
    }
    Collections.shuffle(arrivals, new Random(7));
    arrivals.forEach(this::accept);
    assertEquals(200, delivered.size());
    for (int i = 0; i < delivered.size(); i++) {
      assertEquals(i + 1, delivered.get(i));
    }
    assertFalse(sequencer.holding());
  }

  @Test
  @DisplayName("an event past a gap is held until the gap fills; skipGap gives up on the missing seqs")
  void gaps() {
    sequencer.reset(3L);
    assertEquals(Sequencer.Outcome.HELD, accept(6));
    assertEquals(Sequencer.Outcome.DUPLICATE, accept(3));
    assertEquals(Sequencer.Outcome.DELIVERED, accept(4));
    assertTrue(sequencer.holding());
    sequencer.skipGap();
    assertEquals(List.of(4L, 6L), delivered);
    assertEquals(6L, sequencer.last());
  }

  @Test
  @DisplayName("without a baseline the first event is taken as it comes; a reset to none delivers the held ones in order")
  void noBaseline() {
    assertEquals(Sequencer.Outcome.DELIVERED, accept(41));
    sequencer.reset(null);
    sequencer.reset(50L);
    accept(53);
    accept(52);
    sequencer.reset(null);
    assertEquals(List.of(41L, 52L, 53L), delivered);
  }
}
