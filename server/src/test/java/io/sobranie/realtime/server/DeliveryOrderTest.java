package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.store.AppendResult;
import io.sobranie.realtime.common.store.MessageDraft;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
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
}
