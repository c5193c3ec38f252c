package io.sobranie.realtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.bus.Codecs;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.channel.ChannelRules;
import io.sobranie.realtime.common.store.HistoryLimits;
import io.sobranie.realtime.common.store.InMemoryStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The chat verticle on a real event bus: what it replies and what it publishes to the gateways. */
class ChatVerticleTest {
  private static final Principal ALICE = new Principal("alice", Set.of(), Set.of(), Long.MAX_VALUE);

  private Vertx vertx;
  private InMemoryStore store;
  private final BlockingQueue<Envelope> published = new LinkedBlockingQueue<>();

  @BeforeEach
  void deploy() {
    vertx = Vertx.vertx();
    Codecs.register(vertx);
    ChannelRules rules = new ChannelRules(ChannelRules.defaults(100, 3600), new HistoryLimits(100, 3600));
    store = new InMemoryStore(rules::historyLimits);
    vertx.eventBus().<Envelope>consumer(Addresses.DELIVER, m -> published.add(m.body())).completion().await();
    vertx.deployVerticle(new ChatVerticle(rules, store.history(), store.presence())).await();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private Ack send(Principal principal, String channel, Object data, String idem) {
    JsonObject reply = vertx.eventBus().<JsonObject>request(Addresses.CHAT_MESSAGE,
        new ChatMessage(principal, channel, data, idem).toJson()).await().body();
    return Ack.fromJson(reply);
  }

  private Envelope nextPublished() throws InterruptedException {
    Envelope envelope = published.poll(5, TimeUnit.SECONDS);
    assertTrue(envelope != null, "no envelope published");
    return envelope;
  }

  @Test
  @DisplayName("an accepted message is stored with the next seq, acked, and published once as an envelope")
  void acceptedMessageIsStoredAckedAndPublished() throws InterruptedException {
    Ack ack = send(ALICE, "chat:room", new JsonObject().put("text", "hi"), null);
    assertEquals(1, ack.seq());
    Envelope envelope = nextPublished();
    assertEquals(Envelope.Kind.MESSAGE, envelope.kind());
    assertEquals("chat:room", envelope.target());
    assertEquals(1, envelope.seq());
    assertEquals(ack.id(), envelope.id());
    assertEquals("alice", envelope.from());
    assertEquals("{\"text\":\"hi\"}", envelope.data());
    assertEquals(store.history().position("chat:room").await().epoch(), envelope.epoch());
    assertEquals(1, store.history().latest("chat:room", 10).await().messages().size(), "stored before the ack");
  }

  @Test
  @DisplayName("a service publishes as service:{sub}")
  void servicePublishesUnderItsServiceName() throws InterruptedException {
    send(new Principal("feed", Set.of("service"), Set.of(), Long.MAX_VALUE), "post:9", 1, null);
    assertEquals("service:feed", nextPublished().from());
  }

  @Test
  @DisplayName("a repeated idem is answered with the original ack and not published again")
  void repeatedIdemIsNotPublishedAgain() throws InterruptedException {
    Ack first = send(ALICE, "chat:room", "x", "k");
    Ack again = send(ALICE, "chat:room", "x", "k");
    assertEquals(first, again);
    send(ALICE, "chat:room", "sentinel", null);
    assertEquals(1, nextPublished().seq());
    Envelope next = nextPublished();
    assertEquals(2, next.seq(), "the repeat published nothing and used no seq");
    assertEquals("\"sentinel\"", next.data());
  }

  @Test
  @DisplayName("publishing where the rules forbid is refused with forbidden, and nothing is stored or published")
  void forbiddenPublishIsRefused() {
    Throwable failure = assertThrows(Throwable.class, () -> send(ALICE, "post:1", 1, null));
    RealtimeException error = RealtimeException.from(failure);
    assertEquals(ErrorCode.FORBIDDEN, error.code());
    assertEquals(0, store.history().position("post:1").await().seq());
    assertNull(published.poll());
  }

  @Test
  @DisplayName("a malformed request from any sender is refused with bad_request")
  void malformedRequestIsBadRequest() {
    Throwable failure = assertThrows(Throwable.class, () -> vertx.eventBus()
        .request(Addresses.CHAT_MESSAGE, new JsonObject().put("channel", "chat:room").put("data", 1)).await());
    assertInstanceOf(io.vertx.core.eventbus.ReplyException.class, failure);
    assertEquals(ErrorCode.BAD_REQUEST, RealtimeException.from(failure).code());
  }
}
