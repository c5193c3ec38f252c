package io.sobranie.realtime.common.store;

/**
 * One notification in a user's stream.
 *
 * @param seq  position in the user's stream (1, 2, 3 …)
 * @param id   server-assigned unique id
 * @param kind what happened, e.g. {@code post_liked}
 * @param data the payload as encoded JSON text
 * @param ts   when it was stored, epoch milliseconds
 * @param read whether the user has marked it read
 */
public record StoredNotification(long seq, String id, String kind, String data, long ts, boolean read) {
  StoredNotification asRead() {
    return read ? this : new StoredNotification(seq, id, kind, data, ts, true);
  }
}
