package io.sobranie.realtime.client;

/**
 * Where an app is in a channel: the last seq it handled and the epoch it came from. Kept by the
 * client across reconnects; an app that stores it can resume after a restart of its own
 * ({@link RealtimeClient#subscribe(String, Position, ChannelListener)}).
 */
public record Position(long seq, String epoch) {
}
