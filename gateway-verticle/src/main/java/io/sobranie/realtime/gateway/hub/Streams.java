package io.sobranie.realtime.gateway.hub;

import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.store.HistoryStore;
import io.sobranie.realtime.common.store.NotificationStore;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StoredNotification;
import io.sobranie.realtime.common.store.StreamPosition;
import io.sobranie.realtime.gateway.protocol.Frames;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Base64;
import java.util.List;

/**
 * The sequenced streams a connection can follow, behind one key space: a channel's messages
 * (key = the channel name) and a user's notifications (key = {@link #notificationsKey}, outside
 * the channel-name alphabet so the two never collide). Turns stored items into {@link Delivery}s.
 */
public final class Streams {
  private static final String NOTIFICATIONS_PREFIX = "@n/";

  private final HistoryStore history;
  private final NotificationStore notifications;

  public Streams(HistoryStore history, NotificationStore notifications) {
    this.history = history;
    this.notifications = notifications;
  }

  /** A page of stored deliveries, oldest first; {@code complete} as in the stores. */
  public record Page(StreamPosition position, List<Delivery> items, boolean complete) {
  }

  public static String notificationsKey(String userId) {
    return NOTIFICATIONS_PREFIX + userId;
  }

  public static boolean isNotifications(String key) {
    return key.startsWith(NOTIFICATIONS_PREFIX);
  }

  public Future<StreamPosition> position(String key) {
    return isNotifications(key) ? notifications.position(user(key)) : history.position(key);
  }

  public Future<Page> after(String key, long since, int limit) {
    if (isNotifications(key)) {
      return notifications.after(user(key), since, limit).map(page -> new Page(page.position(),
          page.items().stream().map(n -> notification(key, n, page.position().epoch())).toList(), page.complete()));
    }
    return history.after(key, since, limit).map(page -> new Page(page.position(),
        page.messages().stream().map(m -> message(key, m, page.position().epoch())).toList(), page.complete()));
  }

  private static String user(String key) {
    return key.substring(NOTIFICATIONS_PREFIX.length());
  }

  public static Delivery message(String channel, StoredMessage m, String epoch) {
    return new Delivery(Envelope.Kind.MESSAGE, channel, m.seq(), epoch, "message", null,
        Buffer.buffer(Frames.message(channel, m)));
  }

  public static Delivery notification(String key, StoredNotification n, String epoch) {
    return new Delivery(Envelope.Kind.NOTIFICATION, key, n.seq(), epoch, "notification", null,
        Buffer.buffer(Frames.notification(n.id(), n.seq(), n.kind(), n.data(), n.ts(), n.read())));
  }

  /** The delivery of an envelope from the bus, encoded once. */
  public static Delivery of(Envelope e) {
    return switch (e.kind()) {
      case MESSAGE -> new Delivery(e.kind(), e.target(), e.seq(), e.epoch(), "message", null, Buffer.buffer(Frames.message(e)));
      case NOTIFICATION -> new Delivery(e.kind(), notificationsKey(e.target()), e.seq(), e.epoch(), "notification", null,
          Buffer.buffer(Frames.notification(e.id(), e.seq(), e.messageKind(), e.data(), e.ts(), false)));
      case TYPING -> new Delivery(e.kind(), e.target(), 0, null, "typing", e.except(), Buffer.buffer(Frames.typing(e)));
      case UNREAD_COUNT -> new Delivery(e.kind(), e.target(), 0, null, "unread_count", e.except(),
          Buffer.buffer(Frames.unreadCount(Long.parseLong(e.data()))));
      case DISCONNECT -> new Delivery(e.kind(), e.target(), 0, null, "disconnect", null, Buffer.buffer(e.data()));
      case PRESENCE -> new Delivery(e.kind(), e.target(), 0, null, "presence", null, Buffer.buffer(e.data()));
      case SIGNAL -> new Delivery(e.kind(), e.target(), 0, null, "signal", null, Buffer.buffer(e.data()));
      case BINARY -> new Delivery(e.kind(), e.target(), 0, null, "binary", null,
          Buffer.buffer(Base64.getDecoder().decode(e.data())));
    };
  }

  /** The hub's key for a sequenced envelope. */
  public static String keyOf(Envelope e) {
    return e.kind() == Envelope.Kind.NOTIFICATION ? notificationsKey(e.target()) : e.target();
  }
}
