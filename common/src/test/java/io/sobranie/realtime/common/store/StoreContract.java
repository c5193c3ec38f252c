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
import java.util.Map;
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
 * The contract of {@link HistoryStore}, {@link TicketStore}, {@link NotificationStore} and
 * {@link PresenceStore} (DESIGN.md "Store", PROTOCOL.md sections 1, 3 and 8), run against every
 * implementation: the in-memory store and Redis.
 * Subclasses only say how to build a store from per-channel limits and a clock.
 *
 * <p>Channel, user and node names are unique per test (a random suffix), so an implementation
 * backed by a shared server (Redis) needs no cleanup between tests for correctness. Namespaces pick the limits:
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

  /** How many channel streams the store holds now (reads of unwritten channels must not add any). */
  protected abstract long storedChannels() throws Exception;

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
  @DisplayName("reading a never-written channel (position, history, a repeat lookup) stores nothing")
  void readingANeverWrittenChannelStoresNothing() throws Exception {
    long before = storedChannels();
    for (int i = 0; i < 20; i++) {
      String ch = channel("chat");
      position(ch);
      after(ch, 0, 10);
      latest(ch, 10);
      assertNull(await(store.history().repeat(ch, "k")));
    }
    assertEquals(before, storedChannels());
    append(channel("chat"), "a");
    assertEquals(before + 1, storedChannels(), "an append does store its channel");
  }

  @Test
  @DisplayName("a never-written channel is at seq 0 and its first append, minutes later, keeps the epoch subscribers were told")
  void positionOfNeverWrittenChannelIsSeqZeroAndFirstAppendKeepsItsEpoch() throws Exception {
    String ch = channel("chat");
    StreamPosition before = position(ch);
    assertEquals(0, before.seq());
    assertNotNull(before.epoch());
    assertEquals(before.epoch(), position(ch).epoch(), "reading twice does not change the epoch");
    advance(5 * MINUTE);
    AppendResult first = append(ch, "a");
    assertEquals(1, first.message().seq());
    assertEquals(before.epoch(), first.epoch());
  }

  @Test
  @DisplayName("every life of a channel has an epoch of its own, and a read between lives tells the next one")
  void livesHaveEpochsOfTheirOwn() throws Exception {
    String ch = channel("hour");
    Set<String> epochs = new HashSet<>();
    for (int life = 0; life < 3; life++) {
      String told = position(ch).epoch();
      AppendResult first = append(ch, "life " + life);
      assertEquals(1, first.message().seq());
      assertEquals(told, first.epoch(), "the epoch told between lives is the next life's");
      assertTrue(epochs.add(first.epoch()), "never reused: " + epochs);
      advance(61 * MINUTE);
    }
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
  @DisplayName("a repeat lookup answers the original of a known idem key and null for an unknown or forgotten one")
  void repeatLookupAnswersTheOriginal() throws Exception {
    String ch = channel("chat");
    AppendResult original = append(ch, "hello", "k1");
    AppendResult found = await(store.history().repeat(ch, "k1"));
    assertTrue(found.duplicate());
    assertEquals(original.message(), found.message());
    assertEquals(original.epoch(), found.epoch());
    assertNull(await(store.history().repeat(ch, "k2")));
    advance(HistoryStore.IDEMPOTENCY_TTL_MS + 1);
    assertNull(await(store.history().repeat(ch, "k1")), "forgotten after 10 minutes");
    assertEquals(1, position(ch).seq(), "lookups store nothing");
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

  // ---------------------------------------------------------------- notifications

  /** A user (or node, or connection) name unique to this test run. */
  protected String name(String base) {
    return base + "-" + suffix + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  private NotificationStore notifications() {
    return store.notifications();
  }

  private NotificationStore.Appended notify(String user, String text) throws Exception {
    return await(notifications().append(user, "n-" + UUID.randomUUID(), "test", "\"" + text + "\"", clock.get()));
  }

  private static List<Long> seqsOf(NotificationPage page) {
    return page.items().stream().map(StoredNotification::seq).toList();
  }

  private static List<Boolean> readFlags(NotificationPage page) {
    return page.items().stream().map(StoredNotification::read).toList();
  }

  @Test
  @DisplayName("notification seq is 1, 2, 3 … per user")
  void notificationSeqIsOneTwoThreePerUser() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    assertEquals(1, notify(alice, "a").notification().seq());
    assertEquals(2, notify(alice, "b").notification().seq());
    assertEquals(1, notify(bob, "c").notification().seq());
    assertEquals(3, notify(alice, "d").notification().seq());
    assertEquals(3, await(notifications().position(alice)).seq());
  }

  @Test
  @DisplayName("a notification is stored unread with its fields, data unchanged, and counted unread")
  void notificationAppendStoresFieldsUnreadAndCountsIt() throws Exception {
    String alice = name("alice");
    String data = "{\"post\":7,\"text\":\"héllo ✓\",\"nested\":{\"a\":[1,2]}}";
    NotificationStore.Appended first = await(notifications().append(alice, "n-1", "post_liked", data, clock.get()));
    StoredNotification expected = new StoredNotification(1, "n-1", "post_liked", data, T0, false);
    assertEquals(expected, first.notification());
    assertEquals(1, first.unread());
    assertEquals(2, notify(alice, "b").unread());
    NotificationPage page = await(notifications().after(alice, 0, 10));
    assertEquals(expected, page.items().get(0));
    assertEquals(2, page.unread());
  }

  @Test
  @DisplayName("a never-notified user is at seq 0 and the first notification keeps the epoch readers were told")
  void notificationEpochOfNeverNotifiedUserIsKeptByFirstAppend() throws Exception {
    String alice = name("alice");
    StreamPosition before = await(notifications().position(alice));
    assertEquals(0, before.seq());
    assertNotNull(before.epoch());
    assertEquals(before.epoch(), await(notifications().after(alice, 0, 10)).position().epoch());
    NotificationStore.Appended first = notify(alice, "a");
    assertEquals(before.epoch(), first.epoch());
    assertEquals(before.epoch(), notify(alice, "b").epoch());
    assertNotEquals(first.epoch(), notify(name("bob"), "c").epoch(), "users have their own epochs");
  }

  @Test
  void notificationsAfterASeqAreOldestFirstAndLimited() throws Exception {
    String alice = name("alice");
    for (int i = 1; i <= 5; i++) {
      notify(alice, "n" + i);
    }
    NotificationPage page = await(notifications().after(alice, 2, 10));
    assertEquals(List.of(3L, 4L, 5L), seqsOf(page));
    assertEquals("\"n3\"", page.items().get(0).data());
    assertTrue(page.complete());
    assertEquals(5, page.unread());
    assertEquals(5, page.position().seq());
    assertEquals(List.of(2L, 3L), seqsOf(await(notifications().after(alice, 1, 2))), "the limit keeps the oldest");
    NotificationPage none = await(notifications().after(alice, 5, 10));
    assertEquals(List.of(), none.items());
    assertTrue(none.complete());
  }

  @Test
  void notificationsBeforeASeqAreNewestFirstAndLimited() throws Exception {
    String alice = name("alice");
    for (int i = 1; i <= 5; i++) {
      notify(alice, "n" + i);
    }
    assertEquals(List.of(5L, 4L), seqsOf(await(notifications().before(alice, null, 2))));
    assertEquals(List.of(3L, 2L, 1L), seqsOf(await(notifications().before(alice, 4L, 10))));
    assertEquals(List.of(3L), seqsOf(await(notifications().before(alice, 4L, 1))));
    assertEquals(List.of(), seqsOf(await(notifications().before(alice, 1L, 10))));
    assertEquals(5, await(notifications().before(alice, null, 1)).unread());
  }

  @Test
  @DisplayName("markReadUpTo marks every notification up to a seq read and answers the exact unread count")
  void markReadUpToMarksOlderOnesAndAnswersExactUnread() throws Exception {
    String alice = name("alice");
    for (int i = 1; i <= 5; i++) {
      notify(alice, "n" + i);
    }
    assertEquals(2, await(notifications().markReadUpTo(alice, 3)));
    assertEquals(List.of(true, true, true, false, false), readFlags(await(notifications().after(alice, 0, 10))));
    assertEquals(2, await(notifications().markReadUpTo(alice, 2)), "already read ones are not counted twice");
    assertEquals(2, await(notifications().unread(alice)));
    assertEquals(0, await(notifications().markReadUpTo(alice, 100)));
  }

  @Test
  @DisplayName("markRead by ids marks those, ignores unknown ids and never counts one twice")
  void markReadByIdsIgnoresUnknownAndAlreadyReadIds() throws Exception {
    String alice = name("alice");
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      ids.add(notify(alice, "n" + i).notification().id());
    }
    assertEquals(2, await(notifications().markRead(alice, List.of(ids.get(0), ids.get(2), "no-such-id"))));
    assertEquals(2, await(notifications().markRead(alice, List.of(ids.get(0)))));
    assertEquals(List.of(true, false, true, false), readFlags(await(notifications().after(alice, 0, 10))));
    assertEquals(List.of(false, true, false, true), readFlags(await(notifications().before(alice, null, 10))));
    assertEquals(0, await(notifications().markRead(name("bob"), List.of(ids.get(1)))), "bob has none: his count, 0");
  }

  @Test
  @DisplayName("a user keeps the last 1000 notifications; unread counts only those kept")
  void unreadCountsOnlyTheLastThousandKept() throws Exception {
    String alice = name("alice");
    int total = NotificationStore.MAX_PER_USER + 3;
    NotificationStore.Appended last = null;
    for (int i = 1; i <= total; i++) {
      last = notify(alice, "n" + i);
    }
    assertEquals(NotificationStore.MAX_PER_USER, last.unread());
    assertEquals(NotificationStore.MAX_PER_USER, await(notifications().unread(alice)));
    NotificationPage fromStart = await(notifications().after(alice, 0, 2));
    assertEquals(List.of(4L, 5L), seqsOf(fromStart));
    assertFalse(fromStart.complete(), "1, 2 and 3 were trimmed");
    assertTrue(await(notifications().after(alice, 3, 2)).complete());
    assertEquals(NotificationStore.MAX_PER_USER, await(notifications().before(alice, null, 5000)).items().size());
    assertEquals(total, await(notifications().position(alice)).seq());
    assertEquals(NotificationStore.MAX_PER_USER - 7, await(notifications().markReadUpTo(alice, 10)),
        "seqs 4..10 were marked read; 1..3 are no longer counted");
  }

  @Test
  @DisplayName("notifications older than 30 days are dropped (on reads too) and no longer count as unread")
  void notificationsOlderThanThirtyDaysAreDroppedAndUncounted() throws Exception {
    String alice = name("alice");
    notify(alice, "old");                          // at T0
    advance(10 * 24 * 60 * MINUTE);
    notify(alice, "newer");                        // at T0 + 10 days
    assertEquals(2, await(notifications().unread(alice)));
    advance(20 * 24 * 60 * MINUTE + 1);            // "old" is now older than 30 days
    assertEquals(1, await(notifications().unread(alice)));
    NotificationPage page = await(notifications().after(alice, 0, 10));
    assertEquals(List.of(2L), seqsOf(page));
    assertFalse(page.complete(), "seq 1 expired");
    assertTrue(await(notifications().after(alice, 1, 10)).complete());
    assertEquals(2, page.position().seq(), "the stream itself lives on");
    assertEquals(3, notify(alice, "next").notification().seq());
  }

  @Test
  @DisplayName("dropping a read notification does not change the unread count")
  void droppingAReadNotificationKeepsTheUnreadCount() throws Exception {
    String alice = name("alice");
    String oldId = notify(alice, "old").notification().id();      // at T0
    assertEquals(0, await(notifications().markRead(alice, List.of(oldId))));
    advance(24 * 60 * MINUTE);
    notify(alice, "newer");
    assertEquals(1, await(notifications().unread(alice)));
    advance(29 * 24 * 60 * MINUTE + 1);             // "old" is now older than 30 days
    assertEquals(1, await(notifications().unread(alice)), "only the unread one counted, and it is kept");
    assertEquals(1, await(notifications().markRead(alice, List.of(oldId))), "a dropped id is unknown");
  }

  @Test
  @DisplayName("deliveredUpTo starts at 0 and is never lowered")
  void deliveredUpToStartsAtZeroAndIsNeverLowered() throws Exception {
    String alice = name("alice");
    assertEquals(0, await(notifications().deliveredUpTo(alice)));
    for (int i = 1; i <= 3; i++) {
      notify(alice, "n" + i);
    }
    assertEquals(0, await(notifications().deliveredUpTo(alice)), "appending delivers nothing");
    await(notifications().markDelivered(alice, 2));
    assertEquals(2, await(notifications().deliveredUpTo(alice)));
    await(notifications().markDelivered(alice, 1));
    assertEquals(2, await(notifications().deliveredUpTo(alice)));
    await(notifications().markDelivered(alice, 3));
    assertEquals(3, await(notifications().deliveredUpTo(alice)));
  }

  @Test
  @DisplayName("deliveredUpTo is never above the latest seq")
  void deliveredUpToIsNeverAboveTheLatestSeq() throws Exception {
    String alice = name("alice");
    notify(alice, "a");
    notify(alice, "b");
    await(notifications().markDelivered(alice, 10));
    assertEquals(2, await(notifications().deliveredUpTo(alice)));
    String bob = name("bob");
    await(notifications().markDelivered(bob, 5));
    assertEquals(0, await(notifications().deliveredUpTo(bob)), "nothing to deliver yet");
    assertEquals(1, notify(bob, "c").notification().seq());
  }

  @Test
  void notificationStreamsOfDifferentUsersAreIndependent() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    notify(alice, "a1");
    notify(alice, "a2");
    notify(bob, "b1");
    assertEquals(0, await(notifications().markReadUpTo(bob, 10)));
    await(notifications().markDelivered(bob, 1));
    assertEquals(2, await(notifications().unread(alice)));
    assertEquals(0, await(notifications().deliveredUpTo(alice)));
    assertEquals(List.of(1L, 2L), seqsOf(await(notifications().after(alice, 0, 10))));
  }

  // ---------------------------------------------------------------- presence

  private PresenceStore presence() {
    return store.presence();
  }

  private PresenceStore.UserPresence statusOf(String user) throws Exception {
    return await(presence().status(List.of(user))).get(user);
  }

  @Test
  @DisplayName("connect answers the user's connection count and whether they were already online")
  void connectAnswersCountAndWhetherAlreadyOnline() throws Exception {
    String alice = name("alice");
    assertEquals(new PresenceStore.Connected(1, false), await(presence().connect(name("n1"), alice, name("c"), "ws")));
    assertEquals(new PresenceStore.Connected(2, true), await(presence().connect(name("n2"), alice, name("c"), "sse")));
    assertEquals(2, await(presence().connectionCount(alice)));
  }

  @Test
  void connectingTheSameConnectionTwiceCountsItOnce() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String conn = name("c");
    await(presence().connect(node, alice, conn, "ws"));
    assertEquals(new PresenceStore.Connected(1, true), await(presence().connect(node, alice, conn, "ws")));
    assertEquals(1, await(presence().connectionCount(alice)));
  }

  @Test
  @DisplayName("disconnect answers the remaining count and ignores unknown connections")
  void disconnectAnswersRemainingCountAndIgnoresUnknownConnections() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String c1 = name("c");
    String c2 = name("c");
    await(presence().connect(node, alice, c1, "ws"));
    await(presence().connect(node, alice, c2, "ws"));
    assertEquals(1, await(presence().disconnect(node, alice, c1, T0)));
    assertEquals(1, await(presence().disconnect(node, alice, c1, T0)), "a second disconnect changes nothing");
    assertEquals(1, await(presence().disconnect(node, alice, name("unknown"), T0)));
    assertEquals(0, await(presence().disconnect(node, alice, c2, T0)));
    assertEquals(0, await(presence().connectionCount(alice)));
  }

  @Test
  @DisplayName("lastSeen is the time the last connection closed")
  void lastSeenIsSetWhenTheLastConnectionCloses() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String c1 = name("c");
    String c2 = name("c");
    await(presence().connect(node, alice, c1, "ws"));
    await(presence().connect(node, alice, c2, "ws"));
    assertNull(statusOf(alice).lastSeen(), "never seen leaving");
    await(presence().disconnect(node, alice, c1, T0 + 5));
    assertNull(statusOf(alice).lastSeen(), "still connected elsewhere");
    await(presence().disconnect(node, alice, c2, T0 + 9));
    assertEquals(T0 + 9, statusOf(alice).lastSeen());
  }

  @Test
  @DisplayName("a user stays online after the last disconnect until markOfflineIfGone (the grace period)")
  void userStaysOnlineUntilMarkedOfflineAfterTheGrace() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String conn = name("c");
    await(presence().connect(node, alice, conn, "ws"));
    assertTrue(statusOf(alice).online());
    await(presence().disconnect(node, alice, conn, T0 + 1));
    assertTrue(statusOf(alice).online(), "within the grace the user still counts as online");
    assertTrue(await(presence().markOfflineIfGone(alice)));
    assertEquals(new PresenceStore.UserPresence(alice, false, T0 + 1), statusOf(alice));
  }

  @Test
  @DisplayName("markOfflineIfGone is true once, and false while the user is connected or never seen")
  void markOfflineIfGoneIsTrueExactlyOnce() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String conn = name("c");
    assertFalse(await(presence().markOfflineIfGone(alice)), "never online");
    await(presence().connect(node, alice, conn, "ws"));
    assertFalse(await(presence().markOfflineIfGone(alice)), "still connected");
    assertTrue(statusOf(alice).online());
    await(presence().disconnect(node, alice, conn, T0));
    assertTrue(await(presence().markOfflineIfGone(alice)));
    assertFalse(await(presence().markOfflineIfGone(alice)), "already marked");
  }

  @Test
  @DisplayName("a reconnect within the grace keeps the user online: no offline, no second online")
  void reconnectWithinTheGraceKeepsTheUserOnline() throws Exception {
    String alice = name("alice");
    String node = name("n");
    await(presence().connect(node, alice, "c1-" + alice, "ws"));
    await(presence().disconnect(node, alice, "c1-" + alice, T0));
    assertEquals(new PresenceStore.Connected(1, true), await(presence().connect(node, alice, "c2-" + alice, "ws")));
    assertFalse(await(presence().markOfflineIfGone(alice)));
    assertTrue(statusOf(alice).online());
  }

  @Test
  void reconnectAfterBeingMarkedOfflineIsOnlineAgain() throws Exception {
    String alice = name("alice");
    String node = name("n");
    await(presence().connect(node, alice, "c1-" + alice, "ws"));
    await(presence().disconnect(node, alice, "c1-" + alice, T0));
    assertTrue(await(presence().markOfflineIfGone(alice)));
    assertEquals(new PresenceStore.Connected(1, false), await(presence().connect(node, alice, "c2-" + alice, "ws")));
    assertTrue(statusOf(alice).online());
  }

  @Test
  @DisplayName("connection counts span every node and can be filtered by transport")
  void connectionCountSpansNodesAndFiltersByTransport() throws Exception {
    String alice = name("alice");
    await(presence().connect(name("n1"), alice, name("c"), "ws"));
    String n2 = name("n2");
    await(presence().connect(n2, alice, name("c"), "sse"));
    await(presence().connect(n2, alice, name("c"), "poll"));
    await(presence().connect(n2, name("bob"), name("c"), "ws"));
    assertEquals(3, await(presence().connectionCount(alice)));
    assertEquals(1, await(presence().connectionCount(alice, Set.of("ws"))));
    assertEquals(2, await(presence().connectionCount(alice, Set.of("sse", "poll"))));
    assertEquals(0, await(presence().connectionCount(alice, Set.of())));
    assertEquals(0, await(presence().connectionCount(name("nobody"))));
  }

  @Test
  @DisplayName("join answers whether it is the user's first connection in the room")
  void joinAnswersWhetherItIsTheUsersFirstConnectionInTheRoom() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    String node = name("n");
    String room = channel("room");
    String c1 = name("c");
    String c2 = name("c");
    String c3 = name("c");
    await(presence().connect(node, alice, c1, "ws"));
    await(presence().connect(node, alice, c2, "ws"));
    await(presence().connect(node, bob, c3, "ws"));
    assertTrue(await(presence().join(node, room, alice, c1)));
    assertFalse(await(presence().join(node, room, alice, c2)));
    assertFalse(await(presence().join(node, room, alice, c1)), "joining twice is not a first");
    assertTrue(await(presence().join(node, room, bob, c3)));
    assertEquals(Set.of(alice, bob), await(presence().members(room)));
    assertEquals(Set.of(room), await(presence().rooms(alice)));
    assertEquals(Set.of(), await(presence().members(channel("room"))));
  }

  @Test
  @DisplayName("leave answers whether the user has no connection left in the room")
  void leaveAnswersWhetherTheUserLeftTheRoom() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String room = channel("room");
    String c1 = name("c");
    String c2 = name("c");
    await(presence().connect(node, alice, c1, "ws"));
    await(presence().connect(node, alice, c2, "ws"));
    await(presence().join(node, room, alice, c1));
    await(presence().join(node, room, alice, c2));
    assertFalse(await(presence().leave(node, room, alice, c1)));
    assertEquals(Set.of(alice), await(presence().members(room)));
    assertTrue(await(presence().leave(node, room, alice, c2)));
    assertEquals(Set.of(), await(presence().members(room)));
    assertEquals(Set.of(), await(presence().rooms(alice)));
    assertTrue(await(presence().leave(node, room, alice, c2)), "leaving again: still not in the room");
    assertEquals(2, await(presence().connectionCount(alice)), "leaving a room keeps the connection");
  }

  @Test
  @DisplayName("disconnect removes the connection's room memberships and only those")
  void disconnectRemovesTheConnectionsRoomMemberships() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    String node = name("n");
    String r1 = channel("room");
    String r2 = channel("room");
    String c1 = name("c");
    String c2 = name("c");
    String c3 = name("c");
    await(presence().connect(node, alice, c1, "ws"));
    await(presence().connect(node, alice, c2, "ws"));
    await(presence().connect(node, bob, c3, "ws"));
    await(presence().join(node, r1, alice, c1));
    await(presence().join(node, r2, alice, c1));
    await(presence().join(node, r1, alice, c2));
    await(presence().join(node, r1, bob, c3));
    await(presence().disconnect(node, alice, c1, T0));
    assertEquals(Set.of(), await(presence().members(r2)));
    assertEquals(Set.of(alice, bob), await(presence().members(r1)), "alice is still in r1 through c2");
    assertEquals(Set.of(r1), await(presence().rooms(alice)));
    await(presence().disconnect(node, alice, c2, T0));
    assertEquals(Set.of(bob), await(presence().members(r1)));
    assertEquals(Set.of(), await(presence().rooms(alice)));
  }

  @Test
  @DisplayName("presence operations about one user, called without waiting, take effect in call order")
  void presenceOperationsOfOneUserTakeEffectInCallOrder() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String room = channel("room");
    String conn = name("c");
    List<Future<Boolean>> joins = new ArrayList<>();
    List<Future<Boolean>> leaves = new ArrayList<>();
    Future<PresenceStore.Connected> connected = presence().connect(node, alice, conn, "ws");
    for (int i = 0; i < 100; i++) {
      joins.add(presence().join(node, room, alice, conn));
      leaves.add(presence().leave(node, room, alice, conn));
    }
    joins.add(presence().join(node, room, alice, conn));
    Future<Integer> count = presence().connectionCount(alice);
    await(Future.all(joins));
    await(Future.all(leaves));
    assertEquals(new PresenceStore.Connected(1, false), await(connected));
    for (int i = 0; i < joins.size(); i++) {
      assertTrue(joins.get(i).result(), "join " + i + " follows a leave, so it is the first again");
    }
    for (int i = 0; i < leaves.size(); i++) {
      assertTrue(leaves.get(i).result(), "leave " + i + " follows a join, so it is the last");
    }
    assertEquals(1, await(count), "the count was asked after the connect");
    assertEquals(Set.of(alice), await(presence().members(room)), "the last call was a join");
    assertEquals(Set.of(room), await(presence().rooms(alice)));
  }

  @Test
  @DisplayName("a join that arrives before its connect still registers the connection")
  void joinBeforeConnectRegistersTheConnection() throws Exception {
    String alice = name("alice");
    String node = name("n");
    String room = channel("room");
    String conn = name("c");
    assertTrue(await(presence().join(node, room, alice, conn)));
    assertEquals(1, await(presence().connectionCount(alice)));
    assertEquals(Set.of(alice), await(presence().members(room)));
    assertEquals(new PresenceStore.Connected(1, false), await(presence().connect(node, alice, conn, "ws")),
        "the same connection, not a second one");
    assertEquals(0, await(presence().disconnect(node, alice, conn, T0)));
    assertEquals(Set.of(), await(presence().members(room)));
  }

  @Test
  @DisplayName("status answers every asked user, in order: never seen is offline without lastSeen")
  void statusAnswersEveryUserInOrder() throws Exception {
    String alice = name("alice");
    String ghost = name("ghost");
    await(presence().connect(name("n"), alice, name("c"), "ws"));
    Map<String, PresenceStore.UserPresence> status = await(presence().status(List.of(ghost, alice)));
    assertEquals(List.of(ghost, alice), List.copyOf(status.keySet()));
    assertEquals(new PresenceStore.UserPresence(ghost, false, null), status.get(ghost));
    assertEquals(new PresenceStore.UserPresence(alice, true, null), status.get(alice));
    assertEquals(Map.of(), await(presence().status(List.of())));
  }

  @Test
  @DisplayName("expiredNodes lists the nodes with connections whose lease lapsed or never existed")
  void expiredNodesListsNodesWithConnectionsWhoseLeaseLapsed() throws Exception {
    String leased = name("leased");
    String unleased = name("unleased");
    String empty = name("empty");
    await(presence().connect(leased, name("alice"), name("c"), "ws"));
    await(presence().connect(unleased, name("bob"), name("c"), "ws"));
    await(presence().renewLease(leased, 10_000, T0));
    await(presence().renewLease(empty, 10_000, T0));
    List<String> early = await(presence().expiredNodes(T0 + 9_999));
    assertTrue(early.contains(unleased));
    assertFalse(early.contains(leased), "its lease still runs");
    assertFalse(early.contains(empty), "a node without connections has nothing to purge");
    List<String> late = await(presence().expiredNodes(T0 + 10_000));
    assertTrue(late.contains(leased), "the lease lapsed");
    assertTrue(late.contains(unleased));
    await(presence().renewLease(leased, 10_000, T0 + 10_000));
    assertFalse(await(presence().expiredNodes(T0 + 15_000)).contains(leased), "renewed");
  }

  @Test
  @DisplayName("purgeNode removes a dead node's connections and answers the users whose last connection it was, with their rooms")
  void purgeNodeAnswersUsersWhoseLastConnectionItWasWithTheirRooms() throws Exception {
    String dead = name("dead");
    String live = name("live");
    String alice = name("alice");
    String bob = name("bob");
    String room = channel("room");
    String other = channel("room");
    String a1 = name("c");
    String b1 = name("c");
    String b2 = name("c");
    await(presence().connect(dead, alice, a1, "ws"));
    await(presence().connect(dead, bob, b1, "ws"));
    await(presence().connect(live, bob, b2, "ws"));
    await(presence().join(dead, room, alice, a1));
    await(presence().join(dead, room, bob, b1));
    await(presence().join(live, other, bob, b2));
    Map<String, Set<String>> gone = await(presence().purgeNode(dead, T0 + 7));
    assertEquals(Map.of(alice, Set.of(room)), gone, "bob is still connected on another node");
    assertEquals(0, await(presence().connectionCount(alice)));
    assertEquals(1, await(presence().connectionCount(bob)));
    assertEquals(Set.of(), await(presence().members(room)));
    assertEquals(Set.of(bob), await(presence().members(other)));
    assertEquals(T0 + 7, statusOf(alice).lastSeen());
    assertNull(statusOf(bob).lastSeen());
    assertFalse(await(presence().expiredNodes(T0 + 7)).contains(dead), "nothing left to purge");
  }

  @Test
  @DisplayName("purgeNode is idempotent: a second call finds nothing")
  void purgeNodeIsIdempotent() throws Exception {
    String dead = name("dead");
    String alice = name("alice");
    await(presence().connect(dead, alice, name("c"), "ws"));
    assertEquals(Set.of(alice), await(presence().purgeNode(dead, T0)).keySet());
    assertEquals(Map.of(), await(presence().purgeNode(dead, T0 + 1)));
    assertEquals(T0, statusOf(alice).lastSeen(), "the second purge did not touch lastSeen");
    assertEquals(Map.of(), await(presence().purgeNode(name("never"), T0)));
  }

  @Test
  @DisplayName("purgeNode leaves the offline announcement to markOfflineIfGone")
  void purgeNodeLeavesTheAnnouncementToMarkOfflineIfGone() throws Exception {
    String dead = name("dead");
    String alice = name("alice");
    await(presence().connect(dead, alice, name("c"), "ws"));
    await(presence().purgeNode(dead, T0));
    assertTrue(statusOf(alice).online(), "announced online until marked offline");
    assertTrue(await(presence().markOfflineIfGone(alice)));
    assertFalse(statusOf(alice).online());
  }
}
