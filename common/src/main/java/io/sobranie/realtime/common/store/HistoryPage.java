package io.sobranie.realtime.common.store;

import java.util.List;

/**
 * Messages read from a channel's history, oldest first.
 *
 * @param position the stream's position when read
 * @param messages the messages, oldest first
 * @param complete for reads after a seq: true when nothing between that seq and the first
 *                 returned message was trimmed away (history still reaches back that far)
 */
public record HistoryPage(StreamPosition position, List<StoredMessage> messages, boolean complete) {
}
