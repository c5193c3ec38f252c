package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.store.AppendResult;
import io.sobranie.realtime.common.store.MessageDraft;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The hub's ordering (DESIGN.md, the fan-out rule): with several chat instances publishing, the
 * envelopes of one channel can arrive out of order, twice, or not at all. Subscribers must still
 * see every seq once, in order. The test writes messages to the store directly and publishes
 * their envelopes itself, in a bad order, as a misbehaving set of chat instances would.
 */
class DeliveryOrderTest extends ServerTestBase {

  private List<Envelope> store(String channel, int count) {
    List<Envelope> envelopes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      AppendResult r = node.store().history().append(channel,
          new MessageDraft("m-" + i, "writer", null, String.valueOf(i), System.currentTimeMillis()), null).await();
      envelopes.add(new Envelope(Envelope.Kind.MESSAGE, channel, r.message().seq(), r.epoch(), r.message().id(),
          r.message().from(), r.message().ts(), null, r.message().data(), null));
    }
    return envelopes;
  }

  private void publish(Envelope envelope) {
    node.vertx().eventBus().publish(Addresses.DELIVER, envelope);
  }

  private static void assertReceivesInOrder(WsClient client, long from, long to) {
    for (long seq = from; seq <= to; seq++) {
      JsonObject message = client.next();
      assertEquals("message", message.getString("type"), message::encode);
      assertEquals(seq, message.getLong("seq"));
      assertEquals((int) seq, message.getInteger("data"));
    }
  }

  @Test
  @DisplayName("envelopes published out of order reach subscribers in seq order")
  void reorderedEnvelopes() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:order");
    List<Envelope> envelopes = store("chat:order", 4);
    publish(envelopes.get(2));
    publish(envelopes.get(0));
    publish(envelopes.get(3));
    publish(envelopes.get(1));
    assertReceivesInOrder(bob, 1, 4);
  }

  @Test
  @DisplayName("an envelope that never arrives is filled from the store, in order")
  void lostEnvelopeIsFilledFromTheStore() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:gap");
    List<Envelope> envelopes = store("chat:gap", 3);
    publish(envelopes.get(0));
    publish(envelopes.get(2)); // seq 2 is lost on the way
    assertReceivesInOrder(bob, 1, 3);
  }

  @Test
  @DisplayName("an envelope delivered twice reaches each subscriber once")
  void duplicateEnvelopeIsDeliveredOnce() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:dup");
    List<Envelope> envelopes = store("chat:dup", 2);
    publish(envelopes.get(0));
    publish(envelopes.get(0));
    publish(envelopes.get(1));
    assertReceivesInOrder(bob, 1, 2);
  }

  @Test
  @DisplayName("a count published before a connection opened, arriving late, never comes between the opening count and the offline queue")
  void lateCountWaitsForTheOfflineQueue() {
    String user = "carol";
    for (int i = 1; i <= 3; i++) {
      node.store().notifications().append(user, "n-" + i, "queued", String.valueOf(i), System.currentTimeMillis()).await();
    }
    // The count of the third notification, as a busy bus or hub would hand it over: late, again and again.
    long lateCounts = node.vertx().setPeriodic(1, t -> {
      for (int i = 0; i < 20; i++) {
        publish(Envelope.unreadCount(user, 3, System.currentTimeMillis(), null));
      }
    });
    try {
      // A long-poll's first reply: its streams start after the count is read, the widest window.
      Response reply = request(HttpMethod.GET, "/realtime/poll?timeoutMs=5000", token(user), null);
      assertEquals(200, reply.status(), reply.body());
      JsonArray events = reply.json().getJsonArray("events");
      Supplier<String> opening = () -> new JsonArray(events.getList().subList(0, Math.min(5, events.size()))).encode();
      assertEquals("unread_count", events.getJsonObject(0).getString("type"), opening);
      assertEquals(3, events.getJsonObject(0).getLong("count"));
      for (int seq = 1; seq <= 3; seq++) {
        JsonObject queued = events.getJsonObject(seq);
        assertEquals("notification", queued.getString("type"), opening);
        assertEquals(seq, queued.getLong("seq"));
      }
    } finally {
      node.vertx().cancelTimer(lateCounts);
    }
  }
}
