package io.sobranie.realtime.common.store;

import java.util.List;

/**
 * Notifications read from a user's stream.
 *
 * @param position the stream's latest seq and epoch when read
 * @param items    the notifications, in the order the read asked for
 * @param unread   the user's exact unread count when read
 * @param complete for reads after a seq: true when nothing after it was trimmed away
 */
public record NotificationPage(StreamPosition position, List<StoredNotification> items, long unread, boolean complete) {
}
