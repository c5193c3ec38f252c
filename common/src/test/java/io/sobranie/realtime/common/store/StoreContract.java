package io.sobranie.realtime.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.Principal;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link HistoryStore} and {@link TicketStore} (DESIGN.md "Store", PROTOCOL.md
 * sections 1, 3 and 8), run against every implementation: the in-memory store now, Redis later.
 * Subclasses only say how to build a store from per-channel limits and a clock.
 *
 * <p>Channel names are unique per test (a random suffix), so an implementation backed by a shared
 * server (Redis) needs no cleanup between tests. Namespaces pick the limits:
 * {@code small:} keeps 3 messages, {@code hour:} keeps an hour, {@code minute:} keeps a minute,
 * everything else the defaults (1000 messages, 24 h).
 */
public abstract class StoreContract {
  /** A fixed, arbitrary start time (epoch ms), moved only by the tests. */
  protected static final long T0 = 1_700_000_000_000L;
  protected static final long MINUTE = 60_000L;
  protected static final HistoryLimits DEFAULT_LIMITS = new HistoryLimits(1000, 86400);
  protected static final HistoryLimits SMALL_LIMITS = new HistoryLimits(3, 86400);
  protected static final HistoryLimits HOUR_LIMITS = new HistoryLimits(1000, 3600);
  protected static final HistoryLimits MINUTE_LIMITS = new HistoryLimits(1000, 60);

  protected static final Function<String, HistoryLimits> LIMITS = channel -> {
    if (channel.startsWith("small:")) {
      return SMALL_LIMITS;
    }
    if (channel.startsWith("hour:")) {
      return HOUR_LIMITS;
    }
    if (channel.startsWith("minute:")) {
      return MINUTE_LIMITS;
    }
    return DEFAULT_LIMITS;
  };

  protected final AtomicLong clock = new AtomicLong(T0);
  protected Store store;
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  /** A store whose history limits come from {@code limits} and whose time is {@code clock} (epoch ms). */
  protected abstract Store newStore(Function<String, HistoryLimits> limits, LongSupplier clock);

  @BeforeEach
  void openStore() {
    store = newStore(LIMITS, clock::get);
  }

  @AfterEach
  void closeStore() throws Exception {
    if (store != null) {
      await(store.close());
    }
  }

  // ---------------------------------------------------------------- helpers

  protected static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** A channel name unique to this test run. */
  protected String channel(String namespace) {
    return namespace + ":" + suffix + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  protected MessageDraft draft(String text) {
    return new MessageDraft("m-" + UUID.randomUUID(), "alice", null, "\"" + text + "\"", clock.get());
  }

  protected AppendResult append(String channel, String text) throws Exception {
    return await(store.history().append(channel, draft(text), null));
  }

  protected AppendResult append(String channel, String text, String idem) throws Exception {
    return await(store.history().append(channel, draft(text), idem));
  }

  protected void advance(long ms) {
    clock.addAndGet(ms);
  }

  private static List<Long> seqs(HistoryPage page) {
    return page.messages().stream().map(StoredMessage::seq).toList();
  }

  private HistoryPage after(String channel, long since, int limit) throws Exception {
    return await(store.history().after(channel, since, limit));
  }

  private HistoryPage latest(String channel, int limit) throws Exception {
    return await(store.history().latest(channel, limit));
  }

  private StreamPosition position(String channel) throws Exception {
    return await(store.history().position(channel));
  }

  // ---------------------------------------------------------------- seq and epoch

  @Test
  @DisplayName("seq is 1, 2, 3 … per channel")
  void seqStartsAtOneAndIncrementsByOne() throws Exception {
    String ch = channel("chat");
    assertEquals(1, append(ch, "a").message().seq());
    assertEquals(2, append(ch, "b").message().seq());
    assertEquals(3, append(ch, "c").message().seq());
    assertEquals(3, position(ch).seq());
  }

  @Test
  void channelsHaveIndependentSeqs() throws Exception {
    String a = channel("chat");
    String b = channel("chat");
    append(a, "a1");
    append(a, "a2");
    assertEquals(1, append(b, "b1").message().seq());
    assertEquals(3, append(a, "a3").message().seq());
    assertEquals(2, append(b, "b2").message().seq());
  }

  @Test
  void epochIsStableAcrossAppends() throws Exception {
    String ch = channel("chat");
    String epoch = append(ch, "a").epoch();
    assertNotNull(epoch);
    assertEquals(epoch, append(ch, "b").epoch());
    assertEquals(epoch, append(ch, "c").epoch());
    assertEquals(epoch, position(ch).epoch());
    assertEquals(epoch, after(ch, 0, 10).position().epoch());
    assertEquals(epoch, latest(ch, 10).position().epoch());
  }

  @Test
  void differentChannelsHaveDifferentEpochs() throws Exception {
    assertNotEquals(append(channel("chat"), "a").epoch(), append(channel("chat"), "b").epoch());
  }

  @Test
  void appendStoresTheDraftFieldsWithItsSeq() throws Exception {
    String ch = channel("chat");
    MessageDraft draft = new MessageDraft("m-1", "service:billing", "invoice", "{\"total\":12,\"text\":\"héllo ✓\"}", clock.get());
    AppendResult result = await(store.history().append(ch, draft, null));
    StoredMessage expected = new StoredMessage(1, "m-1", "service:billing", "invoice", "{\"total\":12,\"text\":\"héllo ✓\"}", T0);
    assertEquals(expected, result.message());
    assertFalse(result.duplicate());
    assertEquals(List.of(expected), after(ch, 0, 10).messages());
  }

  @Test
  @DisplayName("a never-written channel is at seq 0 and its first append keeps the epoch subscribers were told")
  void positionOfNeverWrittenChannelIsSeqZeroAndFirstAppendKeepsItsEpoch() throws Exception {
    String ch = channel("chat");
    StreamPosition before = position(ch);
    assertEquals(0, before.seq());
    assertNotNull(before.epoch());
    assertEquals(before.epoch(), position(ch).epoch(), "reading twice does not change the epoch");
    AppendResult first = append(ch, "a");
    assertEquals(1, first.message().seq());
    assertEquals(before.epoch(), first.epoch());
  }

  @Test
  void historyOfNeverWrittenChannelIsEmptyAndComplete() throws Exception {
    String ch = channel("chat");
    HistoryPage page = after(ch, 0, 10);
    assertEquals(List.of(), page.messages());
    assertTrue(page.complete());
    assertEquals(0, page.position().seq());
    assertEquals(List.of(), latest(ch, 10).messages());
  }

  // ---------------------------------------------------------------- history reads

  @Test
  void afterReturnsMessagesAfterSinceOldestFirst() throws Exception {
    String ch = channel("chat");
    for (int i = 1; i <= 5; i++) {
      append(ch, "m" + i);
    }
    HistoryPage page = after(ch, 2, 10);
    assertEquals(List.of(3L, 4L, 5L), seqs(page));
    assertEquals("\"m3\"", page.messages().get(0).data());
    assertTrue(page.complete());
    assertEquals(5, page.position().seq());
  }

  @Test
  void afterHonoursLimitKeepingTheOldest() throws Exception {
    String ch = channel("chat");
    for (int i = 1; i <= 5; i++) {
      append(ch, "m" + i);
    }
    HistoryPage page = after(ch, 1, 2);
    assertEquals(List.of(2L, 3L), seqs(page));
    assertTrue(page.complete());
  }

  @Test
  void afterTheLatestSeqIsEmptyAndComplete() throws Exception {
    String ch = channel("chat");
    append(ch, "a");
    append(ch, "b");
    HistoryPage page = after(ch, 2, 10);
    assertEquals(List.of(), page.messages());
    assertTrue(page.complete());
  }

  @Test
  void afterZeroReturnsTheWholeHistoryAsComplete() throws Exception {
    String ch = channel("chat");
    append(ch, "a");
    append(ch, "b");
    HistoryPage page = after(ch, 0, 10);
    assertEquals(List.of(1L, 2L), seqs(page));
    assertTrue(page.complete());
  }

  @Test
  void latestReturnsTheLastMessagesOldestFirst() throws Exception {
    String ch = channel("chat");
    for (int i = 1; i <= 5; i++) {
      append(ch, "m" + i);
    }
    HistoryPage page = latest(ch, 2);
    assertEquals(List.of(4L, 5L), seqs(page));
    assertEquals(5, page.position().seq());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(latest(ch, 100)));
  }

  @Test
  @DisplayName("history is trimmed to the last N: reads from before the trim point are incomplete")
  void historyTrimmedBySizeIsIncomplete() throws Exception {
    String ch = channel("small"); // keeps 3
    for (int i = 1; i <= 5; i++) {
      append(ch, "m" + i);
    }
    HistoryPage fromStart = after(ch, 0, 10);
    assertEquals(List.of(3L, 4L, 5L), seqs(fromStart));
    assertFalse(fromStart.complete(), "messages 1 and 2 were trimmed");
    assertFalse(after(ch, 1, 10).complete(), "message 2 was trimmed");
    HistoryPage fromTwo = after(ch, 2, 10);
    assertEquals(List.of(3L, 4L, 5L), seqs(fromTwo));
    assertTrue(fromTwo.complete(), "everything after seq 2 is still there");
    assertEquals(List.of(3L, 4L, 5L), seqs(latest(ch, 10)));
  }

  @Test
  @DisplayName("history older than the TTL is trimmed by age (on the next append)")
  void historyOlderThanTtlIsTrimmedByAgeOnAppend() throws Exception {
    String ch = channel("hour");
    append(ch, "m1");                 // at T0
    advance(30 * MINUTE);
    append(ch, "m2");                 // at T0 + 30 min
    advance(30 * MINUTE + 1);         // m1 is now older than an hour
    append(ch, "m3");
    HistoryPage page = after(ch, 0, 10);
    assertEquals(List.of(2L, 3L), seqs(page));
    assertFalse(page.complete(), "message 1 expired");
    assertTrue(after(ch, 1, 10).complete());
    assertEquals(3, page.position().seq(), "the stream itself lives on");
  }

  @Test
  @DisplayName("PROTOCOL.md 8: history is kept for T — a read after T does not serve older messages")
  void historyOlderThanTtlIsNotServedByReads() throws Exception {
    String ch = channel("hour");
    append(ch, "m1");                 // at T0
    advance(30 * MINUTE);
    append(ch, "m2");                 // at T0 + 30 min, keeps the stream alive
    advance(30 * MINUTE + 1);         // m1 is now older than an hour; no append since
    HistoryPage page = after(ch, 0, 10);
    assertEquals(List.of(2L), seqs(page), "message 1 is older than the channel's TTL");
    assertFalse(page.complete(), "message 1 is gone, so a read from seq 0 cannot be complete");
    assertEquals(List.of(2L), seqs(latest(ch, 10)));
  }

  // ---------------------------------------------------------------- stream expiry

  @Test
  @DisplayName("a stream with no append for longer than its TTL starts a new epoch at seq 1")
  void expiredStreamStartsANewEpochAtSeqOne() throws Exception {
    String ch = channel("hour");
    AppendResult first = append(ch, "m1");
    append(ch, "m2");
    advance(60 * MINUTE + 1);
    AppendResult next = append(ch, "m3");
    assertEquals(1, next.message().seq());
    assertNotEquals(first.epoch(), next.epoch());
    assertFalse(next.duplicate());
    assertEquals(List.of(1L), seqs(after(ch, 0, 10)));
  }

  @Test
  @DisplayName("an expired stream reads as seq 0 in a new epoch, and the next append keeps that epoch")
  void expiredStreamPositionIsSeqZeroInANewEpoch() throws Exception {
    String ch = channel("hour");
    String oldEpoch = append(ch, "m1").epoch();
    advance(60 * MINUTE + 1);
    StreamPosition position = position(ch);
    assertEquals(0, position.seq());
    assertNotEquals(oldEpoch, position.epoch());
    HistoryPage page = after(ch, 1, 10);
    assertEquals(List.of(), page.messages());
    assertFalse(page.complete(), "the client's seq 1 belongs to the old epoch");
    AppendResult next = append(ch, "m2");
    assertEquals(1, next.message().seq());
    assertEquals(position.epoch(), next.epoch());
  }

  @Test
  void streamAppendedToWithinItsTtlKeepsItsEpochAndSeq() throws Exception {
    String ch = channel("hour");
    AppendResult first = append(ch, "m1");
    advance(59 * MINUTE);
    AppendResult second = append(ch, "m2");
    advance(59 * MINUTE);
    AppendResult third = append(ch, "m3");
    assertEquals(3, third.message().seq());
    assertEquals(first.epoch(), second.epoch());
    assertEquals(first.epoch(), third.epoch());
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  @DisplayName("same idem key: the original message as a duplicate, no seq consumed")
  void repeatedIdemKeyReturnsTheOriginalAsDuplicate() throws Exception {
    String ch = channel("chat");
    AppendResult original = append(ch, "hello", "k1");
    assertFalse(original.duplicate());
    advance(1000);
    AppendResult repeat = append(ch, "hello again", "k1");
    assertTrue(repeat.duplicate());
    assertEquals(original.message(), repeat.message(), "same seq, id, ts and data");
    assertEquals(original.epoch(), repeat.epoch());
    assertEquals(1, position(ch).seq(), "the repeat was not stored");
    assertEquals(List.of(1L), seqs(after(ch, 0, 10)));
    assertEquals(2, append(ch, "next").message().seq(), "no seq was consumed by the repeat");
  }

  @Test
  void differentIdemKeyIsANewMessage() throws Exception {
    String ch = channel("chat");
    append(ch, "a", "k1");
    AppendResult other = append(ch, "b", "k2");
    assertFalse(other.duplicate());
    assertEquals(2, other.message().seq());
  }

  @Test
  void appendWithoutIdemKeyIsNeverADuplicate() throws Exception {
    String ch = channel("chat");
    MessageDraft draft = draft("same");
    assertFalse(await(store.history().append(ch, draft, null)).duplicate());
    AppendResult again = await(store.history().append(ch, draft, null));
    assertFalse(again.duplicate());
    assertEquals(2, again.message().seq());
  }

  @Test
  void sameIdemKeyOnAnotherChannelIsANewMessage() throws Exception {
    String a = channel("chat");
    String b = channel("chat");
    AppendResult first = append(a, "x", "k1");
    AppendResult other = append(b, "x", "k1");
    assertFalse(other.duplicate());
    assertEquals(1, other.message().seq());
    assertNotEquals(first.message().id(), other.message().id());
  }

  @Test
  @DisplayName("an idem key is remembered for 10 minutes")
  void idemKeyIsRememberedJustUnderTenMinutes() throws Exception {
    String ch = channel("chat");
    AppendResult original = append(ch, "a", "k1");
    advance(HistoryStore.IDEMPOTENCY_TTL_MS - 1);
    AppendResult repeat = append(ch, "a", "k1");
    assertTrue(repeat.duplicate());
    assertEquals(original.message(), repeat.message());
  }

  @Test
  @DisplayName("after 10 minutes an idem key is forgotten: the same key makes a new message")
  void idemKeyIsForgottenAfterTenMinutes() throws Exception {
    String ch = channel("chat");
    append(ch, "a", "k1");
    advance(HistoryStore.IDEMPOTENCY_TTL_MS + 1);
    AppendResult later = append(ch, "a", "k1");
    assertFalse(later.duplicate());
    assertEquals(2, later.message().seq());
  }

  @Test
  @DisplayName("an idem key outlives size trimming of its message")
  void idemKeySurvivesSizeTrimming() throws Exception {
    String ch = channel("small"); // keeps 3
    AppendResult original = append(ch, "a", "k1");
    for (int i = 0; i < 5; i++) {
      append(ch, "filler" + i);
    }
    AppendResult repeat = append(ch, "a", "k1");
    assertTrue(repeat.duplicate());
    assertEquals(original.message(), repeat.message());
    assertEquals(6, position(ch).seq());
  }

  @Test
  @DisplayName("an idem key lasts 10 minutes even on a channel whose history lasts one minute")
  void idemKeyOutlivesAShortHistoryTtl() throws Exception {
    String ch = channel("minute"); // history 60 s
    AppendResult original = append(ch, "a", "k1");
    advance(5 * MINUTE);
    AppendResult repeat = append(ch, "a", "k1");
    assertTrue(repeat.duplicate());
    assertEquals(original.message(), repeat.message());
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  @DisplayName("4 threads × 500 concurrent appends give exactly seqs 1..2000, no duplicates, no holes")
  void concurrentAppendsGetUniqueContiguousSeqs() throws Exception {
    String ch = channel("chat");
    int threads = 4;
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<List<AppendResult>>> results = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          start.await();
          List<Future<AppendResult>> pending = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            pending.add(store.history().append(ch, draft("t" + thread + "-" + i), null));
          }
          List<AppendResult> done = new ArrayList<>();
          for (Future<AppendResult> future : pending) {
            done.add(await(future));
          }
          return done;
        }));
      }
      start.countDown();
      Set<Long> seen = new HashSet<>();
      Set<String> epochs = new HashSet<>();
      List<Long> all = new ArrayList<>();
      for (java.util.concurrent.Future<List<AppendResult>> result : results) {
        List<AppendResult> mine = result.get(30, TimeUnit.SECONDS);
        long previous = 0;
        for (AppendResult r : mine) {
          assertFalse(r.duplicate());
          assertTrue(r.message().seq() > previous, "one thread's appends get increasing seqs");
          previous = r.message().seq();
          all.add(r.message().seq());
          seen.add(r.message().seq());
          epochs.add(r.epoch());
        }
      }
      assertEquals(threads * perThread, all.size());
      assertEquals(threads * perThread, seen.size(), "no seq given twice");
      assertEquals(1L, Collections.min(seen));
      assertEquals((long) threads * perThread, Collections.max(seen), "no holes");
      assertEquals(1, epochs.size(), "one epoch");
      assertEquals(threads * perThread, position(ch).seq());
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- tickets

  private static final Principal ALICE = new Principal("alice", Set.of("service"), Set.of("c1"), T0 + 3_600_000);
  private static final long TICKET_TTL_MS = 30_000;

  @Test
  void ticketRedeemReturnsThePrincipalItWasIssuedFor() throws Exception {
    String ticket = await(store.tickets().issue(ALICE, TICKET_TTL_MS));
    assertNotNull(ticket);
    assertEquals(ALICE, await(store.tickets().redeem(ticket)));
  }

  @Test
  @DisplayName("a ticket is one-time: the second redeem gets nothing")
  void ticketSecondRedeemIsNull() throws Exception {
    String ticket = await(store.tickets().issue(ALICE, TICKET_TTL_MS));
    assertNotNull(await(store.tickets().redeem(ticket)));
    assertNull(await(store.tickets().redeem(ticket)));
  }

  @Test
  void expiredTicketIsNull() throws Exception {
    String ticket = await(store.tickets().issue(ALICE, TICKET_TTL_MS));
    advance(TICKET_TTL_MS + 1);
    assertNull(await(store.tickets().redeem(ticket)));
  }

  @Test
  void ticketIsValidUntilItsTtl() throws Exception {
    String ticket = await(store.tickets().issue(ALICE, TICKET_TTL_MS));
    advance(TICKET_TTL_MS - 1);
    assertEquals(ALICE, await(store.tickets().redeem(ticket)));
  }

  @Test
  void unknownTicketIsNull() throws Exception {
    assertNull(await(store.tickets().redeem("no-such-ticket-" + suffix)));
  }

  @Test
  void ticketsAreDistinctAndOpaque() throws Exception {
    Set<String> tickets = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String ticket = await(store.tickets().issue(ALICE, TICKET_TTL_MS));
      assertFalse(ticket.contains("alice"), "a ticket does not reveal the user");
      assertTrue(ticket.length() >= 16, "a ticket must be unguessable: " + ticket);
      tickets.add(ticket);
    }
    assertEquals(100, tickets.size());
  }

  @Test
  void redeemingOneTicketLeavesOthersValid() throws Exception {
    Principal bob = new Principal("bob", Set.of(), Set.of(), T0 + 3_600_000);
    String a = await(store.tickets().issue(ALICE, TICKET_TTL_MS));
    String b = await(store.tickets().issue(bob, TICKET_TTL_MS));
    assertEquals(ALICE, await(store.tickets().redeem(a)));
    assertEquals(bob, await(store.tickets().redeem(b)));
  }

  @Test
  void pingSucceeds() throws Exception {
    await(store.ping());
  }
}
