package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The reconnect delays, with the browser client's constants and bounds. */
class BackoffTest {
  @Test
  @DisplayName("every delay lies within [(1 - jitter) * cap(n), cap(n)], cap(n) = min(maxMs, initialMs * factor^n)")
  void bounds() {
    Backoff b = Backoff.DEFAULT;
    for (int attempt = 0; attempt < 40; attempt++) {
      double cap = Math.min(b.maxMs(), b.initialMs() * Math.pow(b.factor(), attempt));
      for (int i = 0; i < 200; i++) {
        long delay = b.delay(attempt, () -> ThreadLocalRandom.current().nextDouble());
        assertTrue(delay >= Math.floor((1 - b.jitter()) * cap) && delay <= cap, attempt + ": " + delay);
      }
    }
  }

  @Test
  @DisplayName("the caps grow from 0.5 s doubling to 30 s, and huge attempt counts do not overflow")
  void caps() {
    List<Long> caps = IntStream.range(0, 9).mapToObj(n -> Backoff.DEFAULT.delay(n, () -> 0)).toList();
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L), caps);
    assertEquals(30000L, Backoff.DEFAULT.delay(Integer.MAX_VALUE, () -> 0));
  }

  @Test
  @DisplayName("jitter spreads clients: the delays of one attempt are not all equal")
  void jitter() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(Backoff.DEFAULT.delay(5, () -> ThreadLocalRandom.current().nextDouble()));
    }
    assertTrue(seen.size() > 10, "only " + seen.size() + " distinct delays");
  }
}
