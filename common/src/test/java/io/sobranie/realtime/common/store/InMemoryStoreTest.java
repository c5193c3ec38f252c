package io.sobranie.realtime.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sobranie.realtime.common.auth.Principal;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The store contract on the embedded in-memory store, plus its own {@code sweep()}. */
class InMemoryStoreTest extends StoreContract {

  @Override
  protected Store newStore(Function<String, HistoryLimits> limits, LongSupplier clock) {
    return new InMemoryStore(limits, clock);
  }

  @Override
  protected long storedChannels() {
    return ((InMemoryHistoryStore) store.history()).storedChannels();
  }

  private InMemoryStore memory() {
    return (InMemoryStore) store;
  }

  @Test
  void sweepKeepsLiveStreams() throws Exception {
    String ch = channel("hour");
    AppendResult first = append(ch, "a");
    advance(30 * MINUTE);
    memory().sweep();
    AppendResult second = append(ch, "b");
    assertEquals(2, second.message().seq());
    assertEquals(first.epoch(), second.epoch());
  }

  @Test
  void sweepDropsExpiredStreamsWhichRestartInANewEpoch() throws Exception {
    String ch = channel("hour");
    AppendResult first = append(ch, "a");
    advance(60 * MINUTE + 1);
    memory().sweep();
    AppendResult next = append(ch, "b");
    assertEquals(1, next.message().seq());
    assertNotEquals(first.epoch(), next.epoch());
  }

  @Test
  void sweepKeepsLiveTicketsAndDropsExpiredOnes() throws Exception {
    Principal alice = new Principal("alice", Set.of(), Set.of(), T0 + 3_600_000);
    String shortLived = await(store.tickets().issue(alice, 1_000));
    String longLived = await(store.tickets().issue(alice, 60_000));
    advance(2_000);
    memory().sweep();
    assertNull(await(store.tickets().redeem(shortLived)));
    assertEquals(alice, await(store.tickets().redeem(longLived)));
  }
}
