package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two clients of one real node: messages, typing, presence, signals and refusals. */
class ChatTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Everything one channel listener heard, in order. */
  private static final class Heard implements ChannelListener {
    final Inbox<Object> events = new Inbox<>();

    @Override
    public void onMessage(Message message) {
      events.add(message);
    }

    @Override
    public void onTyping(Typing typing) {
      events.add(typing);
    }
  }

  @Test
  @DisplayName("two clients chat: acks carry seq 1, 2, 3 and the other client gets each message once, in order")
  void twoClientsChat() throws Exception {
    String room = "chat:lobby-" + System.nanoTime();
    try (RealtimeClient alice = server.client("alice").build(); RealtimeClient bob = server.client("bob").build()) {
      Heard bobHears = new Heard();
      Heard aliceHears = new Heard();
      Subscription alices = alice.subscribe(room, aliceHears);
      Subscription bobs = bob.subscribe(room, bobHears);
      alice.connect().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      alices.ready().get(10, TimeUnit.SECONDS);
      bobs.ready().get(10, TimeUnit.SECONDS);

      for (int i = 1; i <= 3; i++) {
        Ack ack = alice.publish(room, Map.of("text", "hello " + i)).get(10, TimeUnit.SECONDS);
        assertEquals(i, ack.seq());
        assertEquals(room, ack.channel());
      }
      List<Object> got = bobHears.events.next(3);
      for (int i = 1; i <= 3; i++) {
        Message m = assertInstanceOf(Message.class, got.get(i - 1));
        assertEquals(i, m.seq());
        assertEquals("alice", m.from());
        assertEquals("hello " + i, m.data().path("text").asText());
      }
      assertEquals(3, bobs.position().seq());
      assertEquals(List.of(1L, 2L, 3L), aliceHears.events.next(3).stream().map(m -> ((Message) m).seq()).toList(),
          "the sender hears its own messages too");
    }
  }

  @Test
  @DisplayName("typing reaches the other client and not the typer's own (a later message is the sentinel)")
  void typing() throws Exception {
    String room = "chat:typing-" + System.nanoTime();
    try (RealtimeClient alice = server.client("alice").build(); RealtimeClient bob = server.client("bob").build()) {
      Heard aliceHears = new Heard();
      Heard bobHears = new Heard();
      Subscription a = alice.subscribe(room, aliceHears);
      Subscription b = bob.subscribe(room, bobHears);
      alice.connect().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      a.ready().get(10, TimeUnit.SECONDS);
      b.ready().get(10, TimeUnit.SECONDS);

      assertTrue(bob.typing(room, true).get(10, TimeUnit.SECONDS));
      assertFalse(bob.typing(room, true).get(10, TimeUnit.SECONDS), "a repeat within 2.5 s is not sent");
      Typing typing = assertInstanceOf(Typing.class, aliceHears.events.next());
      assertEquals(new Typing(room, "bob", true), typing);

      bob.publish(room, "sentinel").get(10, TimeUnit.SECONDS);
      assertInstanceOf(Message.class, bobHears.events.next(), "bob heard no typing of his own before his message");
      assertTrue(bob.typing(room, false).get(10, TimeUnit.SECONDS));
      assertInstanceOf(Message.class, aliceHears.events.next());
      assertEquals(new Typing(room, "bob", false), aliceHears.events.next());
    }
  }

  @Test
  @DisplayName("presence of a room lists its subscribers; presence of users says who is online")
  void presence() throws Exception {
    String room = "chat:presence-" + System.nanoTime();
    try (RealtimeClient alice = server.client("alice").build(); RealtimeClient bob = server.client("bob").build()) {
      Subscription a = alice.subscribe(room, m -> { });
      Subscription b = bob.subscribe(room, m -> { });
      alice.connect().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      a.ready().get(10, TimeUnit.SECONDS);
      b.ready().get(10, TimeUnit.SECONDS);

      PresenceState inRoom = alice.presence(room).get(10, TimeUnit.SECONDS);
      assertEquals(room, inRoom.channel());
      assertEquals(Set.of("alice", "bob"), inRoom.users().stream().map(UserPresence::userId).collect(Collectors.toSet()));

      PresenceState users = alice.presenceOf(List.of("bob", "nobody-here")).get(10, TimeUnit.SECONDS);
      Map<String, String> status = users.users().stream().collect(Collectors.toMap(UserPresence::userId, UserPresence::status));
      assertEquals(Map.of("bob", "online", "nobody-here", "offline"), status);
    }
  }

  @Test
  @DisplayName("a signal reaches every connection of its user; one to an offline user comes back as not_found")
  void signals() throws Exception {
    Inbox<Signal> bobSignals = new Inbox<>();
    Inbox<RealtimeException> aliceErrors = new Inbox<>();
    try (RealtimeClient alice = server.client("alice").listener(new RealtimeListener() {
      @Override
      public void onError(RealtimeException error) {
        aliceErrors.add(error);
      }
    }).build(); RealtimeClient bob = server.client("bob").listener(new RealtimeListener() {
      @Override
      public void onSignal(Signal signal) {
        bobSignals.add(signal);
      }
    }).build()) {
      alice.connect().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      alice.signal("bob", "offer", Map.of("sdp", "v=0")).get(10, TimeUnit.SECONDS);
      Signal signal = bobSignals.next();
      assertEquals("alice", signal.from());
      assertEquals("offer", signal.signal());
      assertEquals("v=0", signal.payload().path("sdp").asText());

      alice.signal("nobody-here", "offer", Map.of()).get(10, TimeUnit.SECONDS);
      RealtimeException error = aliceErrors.next();
      assertEquals(RealtimeException.NOT_FOUND, error.code());
      assertTrue(error.ref() != null, "the error names the signal's ref");
    }
  }

  @Test
  @DisplayName("a refused subscription fails its ready() and reaches onError; the connection stays usable")
  void refusedSubscription() throws Exception {
    Inbox<RealtimeException> errors = new Inbox<>();
    try (RealtimeClient alice = server.client("alice").listener(new RealtimeListener() {
      @Override
      public void onError(RealtimeException error) {
        errors.add(error);
      }
    }).build()) {
      Subscription forbidden = alice.subscribe("dm:bob:carol", m -> { });
      alice.connect().get(10, TimeUnit.SECONDS);
      ExecutionException failure = assertThrows(ExecutionException.class, () -> forbidden.ready().get(10, TimeUnit.SECONDS));
      RealtimeException refusal = assertInstanceOf(RealtimeException.class, failure.getCause());
      assertEquals(RealtimeException.FORBIDDEN, refusal.code());
      assertEquals("dm:bob:carol", refusal.channel());
      assertEquals(refusal.code(), errors.next().code());

      Ack ack = alice.publish("chat:after-refusal-" + System.nanoTime(), "still here").get(10, TimeUnit.SECONDS);
      assertEquals(1, ack.seq());
    }
  }

  @Test
  @DisplayName("a message refused by the server fails its publish() and is not retried")
  void refusedPublish() throws Exception {
    try (RealtimeClient alice = server.client("alice").build()) {
      alice.connect().get(10, TimeUnit.SECONDS);
      ExecutionException failure = assertThrows(ExecutionException.class,
          () -> alice.publish("user:bob", "not allowed").get(10, TimeUnit.SECONDS));
      RealtimeException refusal = assertInstanceOf(RealtimeException.class, failure.getCause());
      assertEquals(RealtimeException.FORBIDDEN, refusal.code());
      assertEquals("user:bob", refusal.channel());
      assertEquals(0, alice.queued(), "the refused message left the queue");
    }
  }

  @Test
  @DisplayName("the outbound queue holds queueLimit messages while disconnected, refuses more (queue_full), and sends them in order on connect")
  void boundedQueue() throws Exception {
    String room = "chat:queue-" + System.nanoTime();
    try (RealtimeClient alice = server.client("alice").queueLimit(2).build()) {
      var first = alice.publish(room, "one");
      var second = alice.publish(room, "two");
      ExecutionException full = assertThrows(ExecutionException.class, () -> alice.publish(room, "three").get(10, TimeUnit.SECONDS));
      assertEquals(RealtimeException.QUEUE_FULL, assertInstanceOf(RealtimeException.class, full.getCause()).code());
      assertEquals(2, alice.queued());
      assertFalse(first.isDone());

      alice.connect().get(10, TimeUnit.SECONDS);
      assertEquals(1, first.get(10, TimeUnit.SECONDS).seq());
      assertEquals(2, second.get(10, TimeUnit.SECONDS).seq());
      assertEquals(List.of("one", "two"), alice.history(room, 0L, 10).get(10, TimeUnit.SECONDS).messages().stream()
          .map(m -> m.data().asText()).toList());
      assertEquals(0, alice.queued());
    }
  }

  @Test
  @DisplayName("the same idem key is stored once: a retry gets the original ack")
  void idempotentPublish() throws Exception {
    String room = "chat:idem-" + System.nanoTime();
    try (RealtimeClient alice = server.client("alice").build()) {
      alice.connect().get(10, TimeUnit.SECONDS);
      Ack first = alice.publish(room, "once", "key-1").get(10, TimeUnit.SECONDS);
      Ack again = alice.publish(room, "once", "key-1").get(10, TimeUnit.SECONDS);
      assertEquals(first, again);
      assertEquals(1, alice.history(room, 0L, 10).get(10, TimeUnit.SECONDS).messages().size());
    }
  }
}
