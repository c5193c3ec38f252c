package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Subscribing with {@code since}: the recovery seam of PROTOCOL.md sections 3 and 8. */
class RecoveryTest extends ServerTestBase {

  @Override
  protected Map<String, String> settings() {
    return Map.of("CHANNELS", "{\"small\":{\"subscribe\":\"any\",\"publish\":\"any\",\"historySize\":5}}");
  }

  private static JsonObject subscribe(String channel, long since, String epoch) {
    JsonObject frame = frame("subscribe").put("channel", channel).put("since", since);
    return epoch == null ? frame : frame.put("epoch", epoch);
  }

  @Test
  @DisplayName("subscribe with since: subscribed (recovered), the missed messages in order, then live ones")
  void replaysMissedThenLive() {
    WsClient alice = connect(token("alice"));
    String epoch = alice.subscribe("chat:r").getString("epoch");
    for (int i = 1; i <= 5; i++) {
      alice.publish("chat:r", i);
    }
    WsClient bob = connect(token("bob"));
    JsonObject subscribed = bob.request(subscribe("chat:r", 2, epoch), "subscribed");
    assertTrue(subscribed.getBoolean("recovered"));
    assertEquals(5, subscribed.getLong("seq"));
    assertEquals(epoch, subscribed.getString("epoch"), "the epoch told of the empty channel is its first life's");
    for (long seq = 3; seq <= 5; seq++) {
      JsonObject message = bob.next();
      assertEquals("message", message.getString("type"));
      assertEquals(seq, message.getLong("seq"));
      assertEquals((int) seq, message.getInteger("data"));
    }
    alice.publish("chat:r", 6);
    assertEquals(6, bob.next("message").getLong("seq"));
  }

  @Test
  @DisplayName("no gap and no duplicate at the seam while messages keep arriving during the subscribe")
  void seamUnderConcurrentPublishing() throws Exception {
    int total = 400;
    WsClient first = connect(token("pub1"));
    WsClient second = connect(token("pub2"));
    CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < total / 2; i++) {
        first.send(frame("message").put("channel", "chat:seam").put("data", i));
        second.send(frame("message").put("channel", "chat:seam").put("data", i));
      }
    }, OwnThreads.EACH);
    WsClient watcher = connect(token("watcher"));
    watcher.subscribe("chat:seam");
    // Subscribe several clients while publishing goes on, each from the seq the watcher has seen.
    List<WsClient> recovering = new ArrayList<>();
    List<Long> sinces = new ArrayList<>();
    long seen = 0;
    while (recovering.size() < 4) {
      seen = watcher.next("message").getLong("seq");
      if (seen % 40 == 0) {
        WsClient client = connect(token("late" + recovering.size()));
        client.send(frame("subscribe").put("channel", "chat:seam").put("since", seen - 7));
        recovering.add(client);
        sinces.add(seen - 7);
      }
    }
    publishing.get();
    for (int i = 0; i < recovering.size(); i++) {
      WsClient client = recovering.get(i);
      assertTrue(client.next("subscribed").getBoolean("recovered"));
      long expected = sinces.get(i) + 1;
      while (expected <= total) {
        JsonObject message = client.next();
        assertEquals("message", message.getString("type"), message::encode);
        assertEquals(expected, message.getLong("seq"), "seq must follow without gap or duplicate");
        expected++;
      }
    }
  }

  @Test
  @DisplayName("since equal to the latest seq: recovered, nothing replayed")
  void sinceAtLatest() {
    WsClient alice = connect(token("alice"));
    alice.publish("chat:r", 1);
    alice.publish("chat:r", 2);
    WsClient bob = connect(token("bob"));
    JsonObject subscribed = bob.request(subscribe("chat:r", 2, null), "subscribed");
    assertTrue(subscribed.getBoolean("recovered"));
    alice.publish("chat:r", 3);
    assertEquals(3, bob.next().getLong("seq"), "the first message after subscribed is the live one");
  }

  @Test
  @DisplayName("an epoch that differs from the channel's: recovered false and no replay")
  void staleEpoch() {
    WsClient alice = connect(token("alice"));
    alice.publish("chat:r", 1);
    alice.publish("chat:r", 2);
    WsClient bob = connect(token("bob"));
    JsonObject subscribed = bob.request(subscribe("chat:r", 1, "some-old-epoch"), "subscribed");
    assertFalse(subscribed.getBoolean("recovered"));
    alice.publish("chat:r", 3);
    assertEquals(3, bob.next().getLong("seq"), "nothing is replayed before the live message");
  }

  @Test
  @DisplayName("since beyond the latest seq: recovered false")
  void sinceInTheFuture() {
    WsClient alice = connect(token("alice"));
    alice.publish("chat:r", 1);
    JsonObject subscribed = connect(token("bob")).request(subscribe("chat:r", 9, null), "subscribed");
    assertFalse(subscribed.getBoolean("recovered"));
    assertEquals(1, subscribed.getLong("seq"));
  }

  @Test
  @DisplayName("history trimmed past since (historySize 5): recovered false and no replay")
  void historyNoLongerReachesBack() {
    WsClient alice = connect(token("alice"));
    for (int i = 1; i <= 8; i++) {
      alice.publish("small:r", i);
    }
    WsClient bob = connect(token("bob"));
    JsonObject lost = bob.request(subscribe("small:r", 1, null), "subscribed");
    assertFalse(lost.getBoolean("recovered"));
    alice.publish("small:r", 9);
    assertEquals(9, bob.next().getLong("seq"));
    JsonObject kept = connect(token("carol")).request(subscribe("small:r", 4, null), "subscribed");
    assertTrue(kept.getBoolean("recovered"), "seq 5..9 are still kept");
  }
}
