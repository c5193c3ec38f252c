package io.sobranie.realtime.client;

/**
 * A subscription's events. Only {@link #onMessage} must be written, so a lambda will do:
 * {@code client.subscribe("chat:lobby", m -> show(m))}. Runs on the client's thread (see
 * {@link RealtimeListener}).
 */
@FunctionalInterface
public interface ChannelListener {
  /** The channel's messages: each exactly once, in seq order, across reconnects. */
  void onMessage(Message message);

  /** Someone else is typing (or stopped). */
  default void onTyping(Typing typing) {
  }

  /** A user of this room (or of a {@code presence:{id}} channel) went online or offline. */
  default void onPresence(PresenceChange change) {
  }

  /** A binary frame relayed on this channel (live only). */
  default void onBinary(BinaryMessage message) {
  }

  /** Messages of this channel were missed for good (also reported to {@link RealtimeListener#onNotRecovered}). */
  default void onNotRecovered(NotRecovered notRecovered) {
  }
}
