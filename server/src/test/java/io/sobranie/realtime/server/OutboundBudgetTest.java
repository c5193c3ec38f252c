package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.Addresses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The outbound budget counts bytes, replays and held live events included (PROTOCOL.md, slow
 * consumer): a client that stops reading in the middle of a replay is closed 1013 like any other,
 * and one that falls far behind is closed at once at the hard limit, without waiting out
 * {@code SLOW_CONSUMER_MS}. Healthy readers get everything, in order.
 */
class OutboundBudgetTest extends ServerTestBase {
  private static final String PADDING = "x".repeat(30_000);

  @Override
  protected Map<String, String> settings() {
    return Map.of("OUTBOUND_BUDGET_BYTES", "65536", "OUTBOUND_LIMIT_BYTES", "262144", "SLOW_CONSUMER_MS", "1000",
        "HEARTBEAT_MS", "1000");
  }

  /**
   * A service publishes {@code count} messages of ~30 KB on {@code channel}, numbered from
   * {@code first}, one after another (each acked before the next, not all at once). The acks come
   * from the store, not from readers: a test that needs a reader to keep up paces by its reads.
   */
  private void publish(String channel, int first, int count) {
    for (int n = first; n < first + count; n++) {
      node.vertx().eventBus().request(Addresses.PUBLISH, new JsonObject().put("channel", channel)
          .put("data", new JsonObject().put("n", n).put("pad", PADDING)).put("from", "service:test")).await();
    }
  }

  private long slowConsumerCloses() throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      long closes = request(HttpMethod.GET, "/realtime/stats", token("ops", "service"), null).json().getLong("slow_consumer_closes");
      if (closes > 0) {
        return closes;
      }
      Thread.sleep(20);
    }
    return 0;
  }

  /** Subscribes from a raw socket with a tiny receive buffer and reads no further than the answer. */
  private static void subscribeAndStall(RawWebSocket slow, String channel, String since) throws Exception {
    slow.readUntil(RawWebSocket.TEXT); // connected
    slow.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"" + since + "}");
    while (!slow.readUntil(RawWebSocket.TEXT).text().contains("subscribed")) {
      // unread_count comes first
    }
  }

  @Test
  @DisplayName("a client that stops reading during a replay is closed 1013 (slow consumer); a healthy one replays everything")
  void stalledReplayIsASlowConsumer() throws Exception {
    publish("post:history", 1, 200); // ~6 MB of history
    try (RawWebSocket slow = new RawWebSocket(port(), "/realtime/ws?token=" + token("slow"), 2048)) {
      subscribeAndStall(slow, "post:history", ",\"since\":0");
      assertEquals(1, slowConsumerCloses(), "the stalled replay was closed");
      RawWebSocket.Frame close = slow.readUntil(RawWebSocket.CLOSE);
      assertEquals(1013, close.closeCode());
      assertEquals("slow consumer", close.closeReason());
    }
    WsClient healthy = connect(token("healthy"));
    healthy.send(frame("subscribe").put("channel", "post:history").put("since", 0));
    healthy.next("subscribed");
    for (int n = 1; n <= 200; n++) {
      assertEquals(n, healthy.next("message").getJsonObject("data").getInteger("n"), "complete and in order");
    }
  }

  @Test
  @DisplayName("a paused reader is closed 1013 at once past OUTBOUND_LIMIT_BYTES; a healthy reader misses nothing")
  void hardLimitClosesAtOnce() throws Exception {
    WsClient healthy = connect(token("healthy"));
    healthy.subscribe("post:live");
    try (RawWebSocket paused = new RawWebSocket(port(), "/realtime/ws?token=" + token("paused"), 2048)) {
      subscribeAndStall(paused, "post:live", "");
      // ~9 MB: more than the kernel buffers and the limit together. Each message is published once
      // the healthy reader has the one before: a reader that reads keeps up by construction (the
      // publisher's acks come from the store, so unpaced it could outrun even a reading client).
      for (int n = 1; n <= 300; n++) {
        publish("post:live", n, 1);
        assertEquals(n, healthy.next("message").getJsonObject("data").getInteger("n"), "complete and in order");
      }
      assertEquals(1, slowConsumerCloses());
      RawWebSocket.Frame close = paused.readUntil(RawWebSocket.CLOSE);
      assertEquals(1013, close.closeCode());
      assertEquals("outbound limit exceeded", close.closeReason(), "closed at the limit, not after SLOW_CONSUMER_MS");
    }
    assertTrue(healthy.request(frame("ping"), "pong").containsKey("ts"));
  }
}
