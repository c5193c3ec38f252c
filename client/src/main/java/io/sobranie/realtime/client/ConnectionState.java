package io.sobranie.realtime.client;

/** Where a {@link RealtimeClient} is; every change is reported to {@link RealtimeListener#onStateChange}. */
public enum ConnectionState {
  /** Built, {@code connect()} not called yet. */
  IDLE,
  /** Opening a WebSocket; done when the server's {@code connected} frame arrives. */
  CONNECTING,
  /** Live: subscriptions are (being) resumed, queued messages are sent. */
  CONNECTED,
  /** Waiting out a backoff delay (or the server's {@code reconnect {afterMs}}) before the next attempt. */
  RECONNECTING,
  /**
   * Not connected and not trying: after {@code disconnect()}/{@code close()}, a refused credential,
   * or a service's disconnect order (WebSocket close 4000). {@code connect()} starts again.
   */
  CLOSED
}
