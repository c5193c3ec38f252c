package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import java.util.Collection;

/**
 * Per-user notification streams: seq, unread counts, read marks and the {@code deliveredUpTo}
 * watermark behind the offline queue. Streams keep the last {@link #MAX_PER_USER} notifications
 * for {@link #TTL_MS}.
 */
public interface NotificationStore {
  int MAX_PER_USER = 1000;
  long TTL_MS = 30L * 24 * 3600 * 1000;

  /** Appends an unread notification with the next seq; answers it and the new unread count. */
  Future<Appended> append(String userId, String id, String kind, String data, long ts);

  record Appended(StoredNotification notification, String epoch, long unread) {
  }

  Future<StreamPosition> position(String userId);

  /** Up to {@code limit} notifications with seq &gt; {@code since}, oldest first. */
  Future<NotificationPage> after(String userId, long since, int limit);

  /** Up to {@code limit} notifications with seq &lt; {@code before} (null: the newest), newest first. */
  Future<NotificationPage> before(String userId, Long before, int limit);

  /** Marks every notification with seq ≤ {@code upTo} read; answers the exact unread count. */
  Future<Long> markReadUpTo(String userId, long upTo);

  /** Marks the notifications with these ids read (unknown ids are ignored); answers the unread count. */
  Future<Long> markRead(String userId, Collection<String> ids);

  Future<Long> unread(String userId);

  /** The highest seq delivered to any connection of the user (0 if none). */
  Future<Long> deliveredUpTo(String userId);

  /** Raises the watermark to {@code seq} (never lowers it). */
  Future<Void> markDelivered(String userId, long seq);
}
