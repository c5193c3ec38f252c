package io.sobranie.realtime.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Codecs;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.AppendResult;
import io.sobranie.realtime.common.store.InMemoryStore;
import io.sobranie.realtime.common.store.MessageDraft;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StreamPosition;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.TestGateway;
import io.sobranie.realtime.gateway.hub.Delivery;
import io.sobranie.realtime.gateway.hub.Hub;
import io.sobranie.realtime.gateway.hub.HubVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The recovery seam (DESIGN.md, the fan-out rule; PROTOCOL.md, subscribe with {@code since}) of a
 * real {@link Session} on a real {@link Shard} and {@link Hub}, over an in-memory store: a client
 * that subscribes with {@code since} while messages keep coming gets {@code subscribed}, the
 * replay, then the live events, every seq once and in order. The client side is a recording
 * {@link Transport}. Messages are appended through the store and their envelopes published as
 * chat does.
 */
class SubscriptionSeamTest {
  private static final String CHANNEL = "chat:seam";
  private Vertx vertx;
  private InMemoryStore store;
  private GatewayContext gateway;

  @BeforeEach
  void start() {
    // One test holds a shard's event loop for a moment on purpose: no blocked-thread warnings.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4)
        .setMaxEventLoopExecuteTime(TestGateway.WAIT_SECONDS).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
    Codecs.register(vertx);
    RealtimeConfig config = TestGateway.config();
    store = new InMemoryStore(config.channelRules()::historyLimits);
    gateway = TestGateway.context(vertx, config, store);
    TestGateway.await(vertx.deployVerticle(new HubVerticle(gateway.hub())));
  }

  @AfterEach
  void stop() {
    TestGateway.await(vertx.close());
  }

  @Test
  @DisplayName("live events that come while the replay is read follow it; those the replay also holds are not sent twice")
  void liveEventsDuringTheReplayFollowItOnce() throws Exception {
    Seam seam = replayWhileLive();
    List<JsonObject> frames = seam.client.transport.on(CHANNEL);
    JsonObject subscribed = frames.get(0);
    assertEquals("subscribed", subscribed.getString("type"), frames::toString);
    assertEquals(seam.position.seq(), subscribed.getLong("seq"));
    assertEquals(seam.position.epoch(), subscribed.getString("epoch"));
    assertTrue(subscribed.getBoolean("recovered"));
    assertEquals(seqs(seam.since + 1, seam.sentinel), messageSeqs(frames), "the replay, then the live events, each once");
  }

  @Test
  @DisplayName("live-only events (typing) that come during the replay are dropped, not buffered")
  void typingDuringTheReplayIsNotBuffered() throws Exception {
    Seam seam = replayWhileLive();
    List<String> typists = seam.client.transport.on(CHANNEL).stream()
        .filter(frame -> frame.getString("type").equals("typing")).map(frame -> frame.getString("from")).toList();
    assertEquals(List.of("typist-after"), typists, "only the typing sent once the subscription was live");
  }

  @Test
  @DisplayName("clients subscribing with since while two event loops publish get the replay, then live events: no gap, no duplicate")
  void seamUnderConcurrentPublishing() throws Exception {
    Shard[] shards = {shard(), shard()};
    Client watcher = connect(shards[0], "watcher");
    String epoch = watcher.subscribe(null, null).getString("epoch");
    int perPublisher = 300;
    Future<Void> publishers = Future.all(publishFrom(TestGateway.newEventLoop(vertx), "a", perPublisher),
        publishFrom(TestGateway.newEventLoop(vertx), "b", perPublisher)).mapEmpty();
    List<Client> late = new ArrayList<>();
    List<Long> sinces = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      long target = 40L * i;
      long seen = watcher.transport.until(frame -> isMessage(frame) && frame.getLong("seq") >= target)
          .stream().filter(SubscriptionSeamTest::isMessage).mapToLong(frame -> frame.getLong("seq")).max().orElseThrow();
      Client client = connect(shards[i % 2], "late" + i);
      client.send(seen - 7, epoch);
      late.add(client);
      sinces.add(seen - 7);
    }
    TestGateway.await(publishers);
    long sentinel = TestGateway.await(append("sentinel")).message().seq(); // published last: what a client has before it is all it gets
    assertEquals(2L * perPublisher + 1, sentinel);
    for (int i = 0; i < late.size(); i++) {
      Client client = late.get(i);
      client.transport.until(frame -> isMessage(frame) && frame.getLong("seq") == sentinel);
      List<JsonObject> frames = client.transport.on(CHANNEL);
      assertEquals("subscribed", frames.get(0).getString("type"), frames::toString);
      assertTrue(frames.get(0).getBoolean("recovered"), frames.get(0)::encode);
      assertEquals(seqs(sinces.get(i) + 1, sentinel), messageSeqs(frames), "client " + i + " from since " + sinces.get(i));
    }
  }

  // ---- the scenario of the seam, step by step --------------------------------------------------

  /** What {@link #replayWhileLive} leaves: the client, where it resumed, the hub's position, the last seq. */
  private record Seam(Client client, long since, StreamPosition position, long sentinel) {
  }

  /**
   * Forces every case of the seam in a known order. A watcher makes the shard follow the channel.
   * On the shard's event loop, messages 21-25 are published and then the client subscribes with
   * since 10, so the hub hands out 21-25 before it answers the client's join at 25 (the client's
   * subscription is indexed, so it is offered 21-25 too: events the replay also holds). Then the
   * loop is held while 26-30 and a typing event are published: the hub hands them to the shard
   * after the answer and before the replay's read completes (live events during the replay). Once
   * the client has 30, a typing event and message 31 are published as sentinels.
   */
  private Seam replayWhileLive() throws Exception {
    Shard shard = shard();
    Client watcher = connect(shard, "watcher");
    watcher.subscribe(null, null);
    Probe probe = new Probe(TestGateway.newEventLoop(vertx));
    TestGateway.await(probe.join(CHANNEL));
    String epoch = null;
    for (int i = 1; i <= 20; i++) {
      epoch = TestGateway.await(append("m" + i)).epoch();
    }
    Client client = connect(shard, "client");
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    String resumeEpoch = epoch;
    shard.context().runOnContext(v -> {
      for (int i = 21; i <= 25; i++) {
        append("m" + i);
      }
      client.session.subscribe(Channel.parse(CHANNEL), 10L, resumeEpoch, "r1");
      holding.countDown();
      try {
        release.await(TestGateway.WAIT_SECONDS, TimeUnit.SECONDS); // holds the shard's loop: what the hub hands it waits
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      assertTrue(holding.await(TestGateway.WAIT_SECONDS, TimeUnit.SECONDS));
      for (int i = 26; i <= 30; i++) {
        TestGateway.await(append("m" + i));
      }
      publishTyping("typist-during");
      probe.until(delivery -> delivery.kind() == Envelope.Kind.TYPING); // the hub has handed all of it to the shard too
    } finally {
      release.countDown();
    }
    client.transport.until(frame -> isMessage(frame) && frame.getLong("seq") == 30);
    publishTyping("typist-after");
    long sentinel = TestGateway.await(append("m31")).message().seq();
    client.transport.until(frame -> isMessage(frame) && frame.getLong("seq") == sentinel);
    JsonObject subscribed = client.transport.on(CHANNEL).stream()
        .filter(frame -> frame.getString("type").equals("subscribed")).findFirst().orElseThrow();
    assertEquals(25, subscribed.getLong("seq"), "precondition: the hub answered the join after handing out 21-25");
    return new Seam(client, 10, new StreamPosition(25, epoch), sentinel);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A shard on an event loop of its own, registered with the hub as a gateway verticle does. */
  private Shard shard() {
    Shard shard = new Shard(TestGateway.newEventLoop(vertx), gateway.hub());
    gateway.hub().addOutlet(shard);
    return shard;
  }

  /** A WebSocket session of {@code user} on {@code shard}, opened (connected, implicit streams joined). */
  private Client connect(Shard shard, String user) {
    RecordingTransport transport = new RecordingTransport();
    Promise<Session> opened = Promise.promise();
    shard.context().runOnContext(v -> {
      Session session = new Session(Session.Kind.WEBSOCKET, new Principal(user, Set.of(), Set.of(), 0), transport, shard, gateway);
      session.openSocket(() -> opened.complete(session));
    });
    return new Client(TestGateway.await(opened.future()), transport, shard);
  }

  /** Stores a message and publishes its envelope, as chat does (the in-memory store answers at once). */
  private Future<AppendResult> append(String data) {
    MessageDraft draft = new MessageDraft(Ids.unique("m-"), "writer", null, Json.encode(data), System.currentTimeMillis());
    return store.history().append(CHANNEL, draft, null).map(this::publish);
  }

  private AppendResult publish(AppendResult result) {
    StoredMessage m = result.message();
    vertx.eventBus().publish(Addresses.DELIVER, Envelope.message(CHANNEL, m.seq(), result.epoch(), m.id(), m.from(), m.ts(),
        m.kind(), m.data()));
    return result;
  }

  private void publishTyping(String typist) {
    vertx.eventBus().publish(Addresses.DELIVER, Envelope.typing(CHANNEL, typist, typist, true, System.currentTimeMillis()));
  }

  /** Appends and publishes {@code count} messages from {@code context}, one per millisecond timer, as a chat instance would. */
  private Future<Void> publishFrom(Context context, String name, int count) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      int[] sent = {0};
      context.owner().setPeriodic(1, id -> {
        store.history().append(CHANNEL, new MessageDraft(Ids.unique("m-"), name, null, Json.encode(name + sent[0]),
            System.currentTimeMillis()), null).onSuccess(this::publish).onFailure(done::tryFail);
        if (++sent[0] == count) {
          context.owner().cancelTimer(id);
          done.tryComplete();
        }
      });
    });
    return done.future();
  }

  private static boolean isMessage(JsonObject frame) {
    return frame.getString("type").equals("message");
  }

  private static List<Long> messageSeqs(List<JsonObject> frames) {
    return frames.stream().filter(SubscriptionSeamTest::isMessage).map(frame -> frame.getLong("seq")).toList();
  }

  private static List<Long> seqs(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** A session and the client end of its transport. */
  private record Client(Session session, RecordingTransport transport, Shard shard) {
    /** Sends {@code subscribe} for {@link #CHANNEL} (since and epoch nullable) on the session's loop. */
    void send(Long since, String epoch) {
      shard.context().runOnContext(v -> session.subscribe(Channel.parse(CHANNEL), since, epoch, "r"));
    }

    /** Subscribes and answers the {@code subscribed} frame. */
    JsonObject subscribe(Long since, String epoch) {
      send(since, epoch);
      List<JsonObject> frames = transport.until(frame -> frame.getString("type").equals("subscribed"));
      return frames.get(frames.size() - 1);
    }
  }

  /** The client side of a session: records every object written, in order. */
  private static final class RecordingTransport implements Transport {
    private final List<JsonObject> frames = new ArrayList<>();

    @Override
    public String name() {
      return "websocket";
    }

    @Override
    public synchronized void send(String type, Buffer json, String cursor) {
      JsonObject frame = new JsonObject(json);
      assertEquals(type, frame.getString("type"));
      frames.add(frame);
      notifyAll();
    }

    @Override
    public void sendBinary(Buffer frame) {
      throw new AssertionError("no binary frame was sent");
    }

    @Override
    public void flush() {
    }

    @Override
    public long backlog() {
      return 0;
    }

    @Override
    public boolean isClosed() {
      return false;
    }

    @Override
    public Disconnect heartbeat(long now) {
      return null;
    }

    @Override
    public Future<Void> close(Disconnect why, long afterMs, String reason) {
      return Future.succeededFuture();
    }

    /** Waits (bounded) for a frame matching {@code last}; answers every frame up to it. */
    synchronized List<JsonObject> until(Predicate<JsonObject> last) {
      long deadline = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(TestGateway.WAIT_SECONDS);
      int checked = 0;
      while (true) {
        for (; checked < frames.size(); checked++) {
          if (last.test(frames.get(checked))) {
            return List.copyOf(frames.subList(0, checked + 1));
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no such frame within " + TestGateway.WAIT_SECONDS + " s; got " + frames);
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    /** The frames about {@code channel}, in order. */
    synchronized List<JsonObject> on(String channel) {
      return frames.stream().filter(frame -> channel.equals(frame.getString("channel"))).toList();
    }
  }

  /** An outlet of its own (not held when a shard's loop is): tells when the hub has handed something out. */
  private final class Probe implements Hub.Outlet {
    private final Context context;
    private final List<Delivery> deliveries = new ArrayList<>();

    Probe(Context context) {
      this.context = context;
    }

    Future<StreamPosition> join(String key) {
      Promise<StreamPosition> joined = Promise.promise();
      gateway.hub().join(this, key, joined::complete);
      return joined.future();
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public synchronized void deliver(String key, Delivery delivery) {
      deliveries.add(delivery);
      notifyAll();
    }

    @Override
    public void deliverToUser(String userId, Delivery delivery) {
    }

    synchronized void until(Predicate<Delivery> mark) throws InterruptedException {
      long deadline = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(TestGateway.WAIT_SECONDS);
      while (deliveries.stream().noneMatch(mark)) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("the hub handed out no such delivery; got " + deliveries);
        }
        wait(left);
      }
    }
  }
}
