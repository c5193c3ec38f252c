package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.StreamPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * A session of the HTTP transports (SSE, long-polling): follows the user's notifications,
 * {@code broadcast} and the requested channels from a {@link Cursor}, and keeps the cursor of
 * what it has written, so the client can resume exactly there on any node.
 */
abstract class CursorSession extends ClientSession {
  protected final Cursor written = Cursor.empty();
  /** Streams whose requested position is beyond history: reported as {@code recovered:false}. */
  protected final List<String> lost = new ArrayList<>();
  private int starting;

  CursorSession(Principal principal, Shard shard, GatewayContext gateway) {
    super(principal, shard, gateway);
  }

  /**
   * Follows every stream: each from the request cursor's position, or (absent there) from now,
   * except notifications, which without a cursor start at the {@code deliveredUpTo} watermark
   * (the offline queue). Runs {@code allStarted} once every stream has its position.
   */
  protected void followAll(Cursor from, List<String> requested, long watermark, Runnable allStarted) {
    List<String> names = new ArrayList<>();
    names.add(Channel.NOTIFICATIONS);
    names.add(Channel.BROADCAST);
    requested.stream().filter(c -> !names.contains(c)).forEach(names::add);
    starting = names.size();
    for (String name : names) {
      StreamPosition at = from.get(name);
      if (at != null) {
        written.put(name, at); // until it starts, resuming from here loses nothing
      }
      Long since = at != null ? Long.valueOf(at.seq()) : name.equals(Channel.NOTIFICATIONS) ? Long.valueOf(watermark) : null;
      String epoch = at == null ? null : at.epoch();
      StartListener listener = new StartListener() {
        @Override
        public void started(StreamPosition position, boolean recovered) {
          if (at != null) {
            gateway.metrics().resumed(transport(), recovered);
            if (!recovered) {
              lost.add(name);
            }
          }
          written.put(name, recovered ? new StreamPosition(since, position.epoch()) : position);
          if (--starting == 0) {
            allStarted.run();
          }
        }

        @Override
        public void failed(RealtimeException error) {
          if (at != null) {
            gateway.metrics().resumed(transport(), false);
          }
          lost.add(name);
          if (--starting == 0) {
            allStarted.run();
          }
        }
      };
      String key = name.equals(Channel.NOTIFICATIONS) ? Streams.notificationsKey(principal.userId()) : name;
      Subscription subscription = follow(key, since, epoch, listener);
      switch (name) {
        case Channel.NOTIFICATIONS -> notifications = subscription;
        case Channel.BROADCAST -> broadcast = subscription;
        default -> {
          channels.put(name, subscription);
          joinRoom(name);
        }
      }
    }
  }

  /** Records a written sequenced event in the cursor; answers the stream's public name. */
  protected void advance(Subscription subscription, Delivery delivery) {
    if (delivery.sequenced()) {
      String name = Streams.isNotifications(subscription.key()) ? Channel.NOTIFICATIONS : subscription.key();
      written.put(name, new StreamPosition(delivery.seq(), delivery.epoch()));
    }
  }
}
