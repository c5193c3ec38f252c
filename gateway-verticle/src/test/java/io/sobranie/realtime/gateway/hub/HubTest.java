package io.sobranie.realtime.gateway.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.bus.Codecs;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.store.AppendResult;
import io.sobranie.realtime.common.store.HistoryLimits;
import io.sobranie.realtime.common.store.HistoryStore;
import io.sobranie.realtime.common.store.InMemoryStore;
import io.sobranie.realtime.common.store.MessageDraft;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StreamPosition;
import io.sobranie.realtime.gateway.TestGateway;
import io.sobranie.realtime.gateway.protocol.Frames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.Json;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hub's ordering (DESIGN.md, the fan-out rule) on a real Vert.x with the real deliver consumer
 * and a real in-memory store: messages are appended through the store, so seqs and epochs are the
 * store's, and their envelopes are published on {@link Addresses#DELIVER} as chat instances would,
 * but reordered, repeated, lost or from two event loops at once. An outlet (a shard's stand-in)
 * must get every seq once, in order, on its own context. Each test ends with a sentinel published
 * last: what the outlet got before it is all it will get.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = TestGateway.WAIT_SECONDS, timeUnit = TimeUnit.SECONDS)
class HubTest {
  private static final String CHANNEL = "chat:hub";
  private static final HistoryLimits LIMITS = new HistoryLimits(5000, 86_400);
  /** The store's clock: moved forward to make a stream expire, so its next append starts a new epoch. */
  private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
  private Vertx vertx;
  private InMemoryStore store;
  private Hub hub;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
    Codecs.register(vertx);
    store = new InMemoryStore(channel -> LIMITS, clock::get);
    Streams streams = new Streams(store.history(), store.notifications());
    hub = new Hub(streams, TestGateway.metrics());
    TestGateway.await(vertx.deployVerticle(new HubVerticle(hub)));
  }

  @AfterEach
  void stop() {
    TestGateway.await(vertx.close());
  }

  @Test
  @DisplayName("envelopes published out of order (1, 3, 2) and repeated reach the outlet once each, in seq order")
  void reorderedAndRepeatedEnvelopes(VertxTestContext test) {
    RecordingOutlet outlet = follow(test, CHANNEL);
    List<AppendResult> stored = append(CHANNEL, 4);
    outlet.whenDelivered(seq(4), got -> assertDelivered(stored, got));
    publish(stored.get(0));
    publish(stored.get(2));
    publish(stored.get(1));
    publish(stored.get(1));
    publish(stored.get(0));
    publish(stored.get(3)); // the sentinel
  }

  @Test
  @DisplayName("an envelope never published (seq 2) is filled from the store after the gap wait: the outlet gets 1, 2, 3")
  void lostEnvelopeIsFilledFromTheStore(VertxTestContext test) {
    RecordingOutlet outlet = follow(test, CHANNEL);
    List<AppendResult> stored = append(CHANNEL, 4);
    outlet.whenDelivered(seq(4), got -> assertDelivered(stored, got));
    publish(stored.get(0));
    publish(stored.get(2));
    publish(stored.get(3)); // the sentinel: nothing after it can fill the hole, only the store
  }

  @Test
  @DisplayName("an envelope that arrives after its gap was filled from the store is not handed over again")
  void lateEnvelopeAfterGapFillIsDropped(VertxTestContext test) {
    RecordingOutlet outlet = follow(test, CHANNEL);
    List<AppendResult> stored = append(CHANNEL, 4);
    Promise<Void> filled = Promise.promise();
    outlet.whenDelivered(seq(3), got -> filled.tryComplete());
    outlet.whenDelivered(seq(4), got -> assertDelivered(stored, got));
    publish(stored.get(0));
    publish(stored.get(2));
    filled.future().onSuccess(v -> {
      publish(stored.get(1)); // seq 2, late: already delivered from the store
      publish(stored.get(3)); // the sentinel
    });
  }

  @Test
  @DisplayName("two event loops publishing 2 × 500 envelopes of one channel at once: every seq reaches the outlet once, in order")
  void concurrentPublishersOnTwoEventLoops(VertxTestContext test) {
    int total = 1000;
    RecordingOutlet outlet = follow(test, CHANNEL);
    List<AppendResult> stored = append(CHANNEL, total);
    List<AppendResult> expected = new ArrayList<>(stored);
    outlet.whenDelivered(seq(total + 1), got -> assertDelivered(expected, got));
    Context odd = TestGateway.newEventLoop(vertx);
    Context even = TestGateway.newEventLoop(vertx);
    CountDownLatch go = new CountDownLatch(2);
    Future<Thread> oddDone = publishFrom(odd, go, stored, 0);
    Future<Thread> evenDone = publishFrom(even, go, stored, 1);
    TestGateway.await(Future.all(oddDone, evenDone));
    assertNotEquals(oddDone.result(), evenDone.result(), "precondition: the publishers ran on two event-loop threads");
    AppendResult sentinel = append(CHANNEL, 1).get(0);
    expected.add(sentinel);
    publish(sentinel); // after both publishers are done
  }

  @Test
  @DisplayName("an epoch change (the stream expired and restarted) is followed, its missed start filled from the store")
  void epochChangeIsFollowed(VertxTestContext test) {
    RecordingOutlet outlet = follow(test, CHANNEL);
    List<AppendResult> first = append(CHANNEL, 2);
    expire();
    List<AppendResult> second = append(CHANNEL, 4);
    assertNotEquals(first.get(0).epoch(), second.get(0).epoch(), "precondition: the store started a new epoch");
    assertEquals(1, second.get(0).message().seq(), "precondition: the new epoch starts at seq 1");
    List<AppendResult> all = new ArrayList<>(first);
    all.addAll(second);
    outlet.whenDelivered(d -> d.epoch().equals(second.get(0).epoch()) && d.seq() == 4, got -> assertDelivered(all, got));
    publish(first.get(0));
    publish(first.get(1));
    publish(second.get(1)); // the new epoch's seq 1 is never published
    publish(second.get(2));
    publish(second.get(3)); // the sentinel
  }

  @Test
  @DisplayName("a late envelope of an epoch the stream has left is dropped: it never sends the stream back")
  void lateEnvelopeOfAnOldEpochIsDropped(VertxTestContext test) {
    RecordingOutlet outlet = follow(test, CHANNEL);
    List<AppendResult> first = append(CHANNEL, 2);
    expire();
    List<AppendResult> second = append(CHANNEL, 2);
    Promise<Void> moved = Promise.promise();
    outlet.whenDelivered(d -> d.epoch().equals(second.get(0).epoch()), got -> moved.tryComplete());
    outlet.whenDelivered(d -> d.epoch().equals(second.get(0).epoch()) && d.seq() == 2,
        got -> assertDelivered(List.of(first.get(0), second.get(0), second.get(1)), got));
    publish(first.get(0));
    publish(second.get(0));
    moved.future().onSuccess(v -> {
      publish(first.get(1)); // late: its publisher was slow, and the stream has moved on to the new epoch
      publish(second.get(1)); // the sentinel
    });
  }

  @Test
  @DisplayName("once an outlet has left a stream it gets none of its events; its other streams go on")
  void leftStreamIsNotDelivered(VertxTestContext test) {
    String other = "chat:other";
    RecordingOutlet outlet = follow(test, CHANNEL);
    join(outlet, other);
    outlet.whenDelivered(d -> d.key().equals(other), got -> assertEquals(List.of(other), got.stream().map(Delivery::key).toList()));
    hub.leave(outlet, List.of(CHANNEL));
    AppendResult left = append(CHANNEL, 1).get(0);
    AppendResult kept = append(other, 1).get(0);
    joinBarrier(test); // the hub has handled the leave
    publish(CHANNEL, left);
    publish(other, kept); // the sentinel
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Moves the store's clock past a stream's lifetime: the next append starts the stream's next epoch. */
  private void expire() {
    clock.addAndGet(Math.max(LIMITS.ttlSeconds() * 1000, HistoryStore.IDEMPOTENCY_TTL_MS) + 1);
  }

  /** Appends {@code count} messages to {@code channel} through the store, as a chat instance does. */
  private List<AppendResult> append(String channel, int count) {
    List<AppendResult> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      MessageDraft draft = new MessageDraft(Ids.unique("m-"), "writer", null, Json.encode("m" + i), clock.get());
      results.add(TestGateway.await(store.history().append(channel, draft, null)));
    }
    return results;
  }

  /** The envelope chat publishes for an appended message. */
  private static Envelope envelopeOf(String channel, AppendResult result) {
    StoredMessage m = result.message();
    return Envelope.message(channel, m.seq(), result.epoch(), m.id(), m.from(), m.ts(), m.kind(), m.data());
  }

  private void publish(AppendResult result) {
    publish(CHANNEL, result);
  }

  private void publish(String channel, AppendResult result) {
    vertx.eventBus().publish(Addresses.DELIVER, envelopeOf(channel, result));
  }

  /**
   * Publishes the envelopes at {@code first}, {@code first + 2}, … from {@code context}, starting
   * together with the other publisher (each holds its event loop until both are ready, so they
   * really run at once); answers the thread that published.
   */
  private Future<Thread> publishFrom(Context context, CountDownLatch go, List<AppendResult> stored, int first) {
    Promise<Thread> done = Promise.promise();
    context.runOnContext(v -> {
      go.countDown();
      try {
        if (!go.await(TestGateway.WAIT_SECONDS, TimeUnit.SECONDS)) {
          done.fail("the other publisher never started");
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done.fail(e);
        return;
      }
      for (int i = first; i < stored.size(); i += 2) {
        vertx.eventBus().publish(Addresses.DELIVER, envelopeOf(CHANNEL, stored.get(i)));
      }
      done.complete(Thread.currentThread());
    });
    return done.future();
  }

  /** An outlet on an event loop of its own that follows {@code key} (and gets user events, as a shard does). */
  private RecordingOutlet follow(VertxTestContext test, String key) {
    RecordingOutlet outlet = new RecordingOutlet(TestGateway.newEventLoop(vertx), test);
    hub.addOutlet(outlet);
    join(outlet, key);
    return outlet;
  }

  private StreamPosition join(Hub.Outlet outlet, String key) {
    Promise<StreamPosition> joined = Promise.promise();
    hub.join(outlet, key, joined::complete);
    return TestGateway.await(joined.future());
  }

  /** Returns once everything asked of the hub before has been handled on its context (a join's answer comes after). */
  private void joinBarrier(VertxTestContext test) {
    join(new RecordingOutlet(TestGateway.newEventLoop(vertx), test), "chat:barrier");
  }

  private static Predicate<Delivery> seq(long seq) {
    return delivery -> delivery.seq() == seq;
  }

  /** The outlet got exactly the messages of {@code expected}, in that order, each encoded as the store holds it. */
  private void assertDelivered(List<AppendResult> expected, List<Delivery> got) {
    assertEquals(expected.stream().map(r -> r.epoch() + "/" + r.message().seq()).toList(),
        got.stream().map(d -> d.epoch() + "/" + d.seq()).toList());
    for (int i = 0; i < expected.size(); i++) {
      Delivery delivery = got.get(i);
      assertEquals(Envelope.Kind.MESSAGE, delivery.kind());
      assertEquals(CHANNEL, delivery.key());
      assertEquals(Frames.message(CHANNEL, expected.get(i).message()), delivery.json().toString());
    }
  }

  /**
   * A shard's stand-in: records what the hub hands it, failing the test if the hub calls it
   * anywhere but on its own context; at a chosen delivery, checks everything recorded and ends
   * the test.
   */
  private static final class RecordingOutlet implements Hub.Outlet {
    private final Context context;
    private final VertxTestContext test;
    /** Touched on {@link #context} only. */
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Predicate<Delivery>> marks = new ArrayList<>();
    private final List<Consumer<List<Delivery>>> checks = new ArrayList<>();

    RecordingOutlet(Context context, VertxTestContext test) {
      this.context = context;
      this.test = test;
    }

    /** When a delivery matching {@code mark} arrives, {@code check} runs on everything got so far; the last one set ends the test. */
    void whenDelivered(Predicate<Delivery> mark, Consumer<List<Delivery>> check) {
      marks.add(mark);
      checks.add(check);
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public void deliver(String key, Delivery delivery) {
      test.verify(() -> {
        assertSame(context, Vertx.currentContext(), "the hub calls an outlet on the outlet's context");
        assertEquals(delivery.key(), key);
      });
      deliveries.add(delivery);
      for (int i = 0; i < marks.size(); i++) {
        if (marks.get(i).test(delivery)) {
          Consumer<List<Delivery>> check = checks.get(i);
          List<Delivery> got = List.copyOf(deliveries);
          test.verify(() -> check.accept(got));
          if (i == marks.size() - 1 && !test.failed()) {
            test.completeNow();
          }
        }
      }
    }

    @Override
    public void deliverToUser(String userId, Delivery delivery) {
      test.failNow("no user event was published, got one for " + userId);
    }
  }
}
