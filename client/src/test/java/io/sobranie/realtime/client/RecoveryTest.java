package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.server.TcpProxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Reconnects and recovery against real nodes: a client behind a TCP proxy that the test can cut
 * or make refuse, so the client is kept out exactly while the test publishes what it must recover.
 */
class RecoveryTest {

  /** A channel listener and a connection listener recording what the app was handed. */
  private static class App implements ChannelListener, RealtimeListener {
    final Inbox<Message> messages = new Inbox<>();
    final Inbox<NotRecovered> lost = new Inbox<>();
    final Inbox<ConnectionState> states = new Inbox<>();
    final Inbox<Long> advice = new Inbox<>();

    @Override
    public void onMessage(Message message) {
      messages.add(message);
    }

    @Override
    public void onNotRecovered(NotRecovered notRecovered) {
      lost.add(notRecovered);
    }

    @Override
    public void onStateChange(StateChange change) {
      states.add(change.state());
    }

    @Override
    public void onReconnectAdvice(long afterMs) {
      advice.add(afterMs);
    }
  }

  private static List<Long> seqs(List<Message> messages) {
    return messages.stream().map(Message::seq).toList();
  }

  @Test
  @DisplayName("after a restart with Redis, the client recovers what it missed, then sends what it queued: seq 1..6 once each, in order")
  void recoveryAfterRestartWithRedis() throws Exception {
    String channel = "chat:restart-" + System.nanoTime();
    Map<String, String> redis = Map.of("REDIS_URL", "redis://127.0.0.1:6379", "REDIS_PREFIX", "client-test-" + System.nanoTime() + ":",
        "HEARTBEAT_MS", "1000"); // a graceful stop tells clients to come back within max(1 s, heartbeat)
    App alice = new App();
    try (TestServer server = TestServer.start(redis); TcpProxy proxy = new TcpProxy(server.port());
         RealtimeClient client = TestServer.client(URI.create("http://127.0.0.1:" + proxy.port()), "alice").listener(alice).build();
         RealtimeClient bob = server.client("bob").build()) {
      Subscription subscription = client.subscribe(channel, alice);
      client.connect().get(10, TimeUnit.SECONDS);
      subscription.ready().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      bob.publish(channel, "m1").get(10, TimeUnit.SECONDS);
      bob.publish(channel, "m2").get(10, TimeUnit.SECONDS);
      assertEquals(List.of(1L, 2L), seqs(alice.messages.next(2)));
      String epoch = subscription.position().epoch();

      proxy.mode(TcpProxy.Mode.REFUSE); // alice stays out until the test lets her in
      server.restart();
      assertTrue(alice.advice.next() <= 1000, "the stopping node asked for a reconnect within its window");
      alice.states.until(s -> s == ConnectionState.RECONNECTING);
      bob.connect().get(10, TimeUnit.SECONDS); // bob reconnects straight to the new node
      bob.publish(channel, "m3").get(10, TimeUnit.SECONDS);
      bob.publish(channel, "m4").get(10, TimeUnit.SECONDS);
      CompletableFuture<Ack> queued = client.publish(channel, "m5 (queued while disconnected)");
      assertFalse(queued.isDone());

      proxy.mode(TcpProxy.Mode.FORWARD);
      assertEquals(5, queued.get(10, TimeUnit.SECONDS).seq());
      assertEquals(List.of(3L, 4L, 5L), seqs(alice.messages.next(3)));
      bob.publish(channel, "m6 (sentinel)").get(10, TimeUnit.SECONDS);
      assertEquals(6L, alice.messages.next().seq(), "nothing was delivered twice before the sentinel");
      assertTrue(alice.lost.isEmpty(), "everything was recovered");
      assertEquals(epoch, subscription.position().epoch(), "Redis kept the stream: same epoch");
      assertEquals(6, bob.history(channel, 0L, 100).get(10, TimeUnit.SECONDS).messages().size(), "each message stored once");
    }
  }

  @Test
  @DisplayName("when the restarted server lost the history (in-memory store), the app hears recovered:false and live messages go on")
  void notRecoveredAfterLosingTheStore() throws Exception {
    String channel = "chat:amnesia-" + System.nanoTime();
    App alice = new App();
    try (TestServer server = TestServer.start(Map.of("HEARTBEAT_MS", "1000"));
         RealtimeClient client = server.client("alice").listener(alice).build();
         RealtimeClient bob = server.client("bob").build()) {
      Subscription subscription = client.subscribe(channel, alice);
      client.connect().get(10, TimeUnit.SECONDS);
      subscription.ready().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      bob.publish(channel, "before").get(10, TimeUnit.SECONDS);
      assertEquals(1L, alice.messages.next().seq());

      server.restart();
      NotRecovered lost = alice.lost.next();
      assertEquals(channel, lost.channel());
      assertTrue(lost.reason().contains("new epoch"), lost.reason());

      bob.connect().get(10, TimeUnit.SECONDS);
      Ack after = bob.publish(channel, "after").get(10, TimeUnit.SECONDS);
      Message live = alice.messages.next();
      assertEquals(after.id(), live.id(), "delivery goes on from the new stream");
      assertEquals(after.seq(), subscription.position().seq());
    }
  }

  @Test
  @DisplayName("a socket cut while the app is still handling a message is noticed: the client reconnects and recovers")
  void socketCutWhileTheAppIsBusyIsNoticed() throws Exception {
    String channel = "chat:busy-" + System.nanoTime();
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch cut = new CountDownLatch(1);
    App alice = new App() {
      @Override
      public void onMessage(Message message) {
        super.onMessage(message);
        if (message.seq() == 1) { // the app is busy with m1 while its socket is cut
          handling.countDown();
          await(cut);
        }
      }
    };
    try (TestServer server = TestServer.start(); TcpProxy proxy = new TcpProxy(server.port());
         RealtimeClient client = TestServer.client(URI.create("http://127.0.0.1:" + proxy.port()), "alice")
             .reconnect(new Backoff(50, 500, 2, 0.5)).listener(alice).build();
         RealtimeClient bob = server.client("bob").build()) {
      Subscription subscription = client.subscribe(channel, alice);
      client.connect().get(10, TimeUnit.SECONDS);
      subscription.ready().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      bob.publish(channel, "m1").get(10, TimeUnit.SECONDS);
      assertTrue(handling.await(10, TimeUnit.SECONDS));
      Thread.sleep(100); // the JDK asks its socket for more once the listener's callback returned
      proxy.cutAll();
      Thread.sleep(300); // the end of the stream reaches the client while the app still holds m1
      cut.countDown();

      // The heartbeat (25 s by default) would only notice after the inbox's 10 s: this is the cut.
      alice.states.until(s -> s == ConnectionState.RECONNECTING);
      bob.publish(channel, "m2 (sentinel)").get(10, TimeUnit.SECONDS);
      assertEquals(List.of(1L, 2L), seqs(alice.messages.next(2)), "m2 recovered or delivered after the reconnect");
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  @DisplayName("after the server drops the socket, the client asks its token supplier again, reconnects, recovers and sends its queue")
  void reconnectAfterTheSocketIsCut() throws Exception {
    String channel = "chat:cut-" + System.nanoTime();
    App alice = new App();
    AtomicInteger tokensAsked = new AtomicInteger();
    try (TestServer server = TestServer.start(); TcpProxy proxy = new TcpProxy(server.port());
         RealtimeClient client = RealtimeClient.builder(URI.create("http://127.0.0.1:" + proxy.port()))
             .token(() -> {
               tokensAsked.incrementAndGet();
               return CompletableFuture.completedFuture(TestServer.token("alice"));
             })
             .reconnect(new Backoff(50, 500, 2, 0.5)).listener(alice).build();
         RealtimeClient bob = server.client("bob").build()) {
      Subscription subscription = client.subscribe(channel, alice);
      Connected first = client.connect().get(10, TimeUnit.SECONDS);
      subscription.ready().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      bob.publish(channel, "m1").get(10, TimeUnit.SECONDS);
      assertEquals(1L, alice.messages.next().seq());
      assertEquals(1, tokensAsked.get());

      proxy.mode(TcpProxy.Mode.REFUSE);
      proxy.cutAll();
      alice.states.until(s -> s == ConnectionState.RECONNECTING);
      bob.publish(channel, "m2").get(10, TimeUnit.SECONDS);
      CompletableFuture<Ack> queued = client.publish(channel, "m3");
      CompletableFuture<Connected> second = new CompletableFuture<>();
      client.addListener(new RealtimeListener() {
        @Override
        public void onConnected(Connected connected) {
          second.complete(connected);
        }
      });
      proxy.mode(TcpProxy.Mode.FORWARD);

      assertTrue(!first.connectionId().equals(second.get(10, TimeUnit.SECONDS).connectionId()), "a new session");
      assertEquals(3, queued.get(10, TimeUnit.SECONDS).seq());
      assertEquals(List.of(2L, 3L), seqs(alice.messages.next(2)));
      bob.publish(channel, "m4 (sentinel)").get(10, TimeUnit.SECONDS);
      assertEquals(4L, alice.messages.next().seq(), "nothing was delivered twice before the sentinel");
      assertTrue(alice.lost.isEmpty());
      assertTrue(tokensAsked.get() >= 2, "the supplier was asked on the reconnect too");
    }
  }

  @Test
  @DisplayName("a service's disconnect ends the session (state CLOSED, not RECONNECTING); connect() starts it again")
  void serviceDisconnectEndsTheSession() throws Exception {
    App alice = new App();
    try (TestServer server = TestServer.start(); RealtimeClient client = server.client("alice").listener(alice).build()) {
      client.connect().get(10, TimeUnit.SECONDS);
      assertEquals(ConnectionState.CONNECTING, alice.states.next());
      assertEquals(ConnectionState.CONNECTED, alice.states.next());

      assertEquals(1, server.service().disconnect("alice", "banned").get(10, TimeUnit.SECONDS));
      // The decision is taken when the close arrives: CLOSED here, where a drop would give RECONNECTING.
      assertEquals(ConnectionState.CLOSED, alice.states.next());
      assertEquals(ConnectionState.CLOSED, client.state());

      client.connect().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED), alice.states.next(2),
          "the next state change came from the app's connect(), not from a reconnect of its own");
    }
  }
}
