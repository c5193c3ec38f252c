package io.sobranie.realtime.gateway.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sobranie.realtime.common.bus.NodeStats;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.HistoryLimits;
import io.sobranie.realtime.common.store.InMemoryStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hub's answer for the admin page: how many streams, and the top channels by local followers. */
class HubFollowedTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** An outlet that only joins (the hub's bookkeeping is what is under test). */
  private record Outlet(Context context) implements Hub.Outlet {
    @Override
    public void deliver(String key, Delivery delivery) {
    }

    @Override
    public void deliverToUser(String userId, Delivery delivery) {
    }
  }

  @Test
  @DisplayName("the top channels are the N most followed over every shard, most first, without notification streams or broadcast; leaving counts down")
  void topChannels() throws Exception {
    InMemoryStore store = new InMemoryStore(channel -> new HistoryLimits(100, 3600));
    Hub hub = new Hub(new Streams(store.history(), store.notifications()), null);
    vertx.deployVerticle(new HubVerticle(hub)).await();
    Hub.Outlet first = new Outlet(vertx.getOrCreateContext());
    Hub.Outlet second = new Outlet(vertx.getOrCreateContext());
    List<String[]> joins = new ArrayList<>();
    for (int channel = 1; channel <= 12; channel++) {
      for (int follower = 0; follower < channel; follower++) {
        joins.add(new String[] {"chat:c" + channel, follower % 2 == 0 ? "first" : "second"});
      }
    }
    for (int follower = 0; follower < 50; follower++) {
      joins.add(new String[] {Streams.notificationsKey("u" + follower), "first"});
      joins.add(new String[] {Channel.BROADCAST, "second"});
    }
    CountDownLatch joined = new CountDownLatch(joins.size());
    for (String[] join : joins) {
      hub.join(join[1].equals("first") ? first : second, join[0], position -> joined.countDown());
    }
    assertEquals(true, joined.await(10, TimeUnit.SECONDS));

    Hub.Followed followed = hub.followed(NodeStats.MAX_TOP_CHANNELS).await();
    assertEquals(12 + 50 + 1, followed.streams(), "channels, notification streams and broadcast");
    List<NodeStats.ChannelCount> expected = new ArrayList<>();
    for (int channel = 12; channel >= 3; channel--) {
      expected.add(new NodeStats.ChannelCount("chat:c" + channel, channel));
    }
    assertEquals(expected, followed.topChannels());

    hub.leave(first, List.of("chat:c12", "chat:c12", "chat:c12", "chat:c12", "chat:c12", "chat:c12"));
    hub.leave(second, List.of("chat:c12", "chat:c12", "chat:c12", "chat:c12", "chat:c12"));
    List<NodeStats.ChannelCount> top = hub.followed(3).await().topChannels();
    assertEquals(List.of(new NodeStats.ChannelCount("chat:c11", 11), new NodeStats.ChannelCount("chat:c10", 10),
        new NodeStats.ChannelCount("chat:c9", 9)), top, "c12 down to 1 follower");
  }
}
