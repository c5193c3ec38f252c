package io.sobranie.realtime.client;

import java.util.concurrent.CompletableFuture;

/**
 * One listener's subscription to a channel. Closing it removes the listener; when the last
 * listener of a channel goes, the client leaves the channel ({@code unsubscribe}).
 */
public final class Subscription implements AutoCloseable {
  private final RealtimeClient client;
  private final Stream stream;
  private final ChannelListener listener;

  Subscription(RealtimeClient client, Stream stream, ChannelListener listener) {
    this.client = client;
    this.stream = stream;
    this.listener = listener;
  }

  public String channel() {
    return stream.name;
  }

  /**
   * Completes with the server's first {@code subscribed} answer, or fails with the refusal (e.g.
   * {@code forbidden}, {@code bad_request}); later resubscribes after reconnects do not change it.
   */
  public CompletableFuture<Subscribed> ready() {
    return stream.ready;
  }

  /** The last seq handed to the app and its epoch (null before the first answer): store it to resume later. */
  public Position position() {
    return stream.position();
  }

  /** Removes this listener (and leaves the channel when it was the last). */
  @Override
  public void close() {
    client.unsubscribe(stream, listener);
  }
}
