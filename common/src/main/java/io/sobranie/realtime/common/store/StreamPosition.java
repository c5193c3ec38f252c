package io.sobranie.realtime.common.store;

/**
 * Where a channel's stream stands: its latest seq (0 when empty) and its epoch. A new epoch
 * starts whenever the stream's state was lost or expired, so a seq is never reused within one epoch.
 */
public record StreamPosition(long seq, String epoch) {
}
