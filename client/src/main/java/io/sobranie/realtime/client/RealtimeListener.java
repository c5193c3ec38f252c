package io.sobranie.realtime.client;

/**
 * Connection-wide events. Every method has an empty default: implement what you need.
 *
 * <p>Listeners run on the client's own thread, one event at a time, in the order the events
 * happened. Do not block there, and never wait there for a future of the same client (its
 * completion needs that thread): chain with {@code thenAccept} instead.
 */
public interface RealtimeListener {
  /** The connection state changed (see {@link ConnectionState}). */
  default void onStateChange(StateChange change) {
  }

  /** A session opened (the first connect and every reconnect). */
  default void onConnected(Connected connected) {
  }

  /**
   * Something failed that no future of yours reports: a refused subscription (also failing
   * {@link Subscription#ready()}), an {@code error} frame answering a signal or read mark, a failed
   * connection attempt, an unreadable frame.
   */
  default void onError(RealtimeException error) {
  }

  /**
   * The server is going away (a graceful shutdown) and asked to come back after {@code afterMs};
   * the client does so by itself (waiting {@code afterMs} plus up to 10 %, at most 1 s more).
   */
  default void onReconnectAdvice(long afterMs) {
  }

  /** A notification for this user: once each, in seq order, across reconnects. */
  default void onNotification(Notification notification) {
  }

  /** The user's unread notification count: after connecting, after each notification and read mark. */
  default void onUnreadCount(long count) {
  }

  /** A WebRTC signal addressed to this user. */
  default void onSignal(Signal signal) {
  }

  /** Missed events of a channel (or of {@code notifications}) could not be recovered. */
  default void onNotRecovered(NotRecovered notRecovered) {
  }
}
