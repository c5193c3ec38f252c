package io.sobranie.realtime.gateway.session;

import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.gateway.hub.Delivery;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * How one client connection carries a {@link Session} (centrifuge's transport.go is the model):
 * it writes the server's objects in its own framing, tells how much it holds unsent, keeps the
 * connection alive, and says goodbye in its own form. It holds no protocol logic: what to send,
 * when, and when to end is the session's.
 */
public interface Transport {
  /** {@code websocket}, {@code sse} or {@code poll}: for metrics, logs and the presence registry. */
  String name();

  /**
   * Writes one server object: its protocol {@code type} (SSE's {@code event:} name), its encoded
   * JSON (shared between sessions: never modified), and for a sequenced event the session's
   * cursor after it (SSE's {@code id:}; null otherwise). Objects written in one event-loop turn
   * may go out together at {@link #flush}.
   */
  void send(String type, Buffer json, String cursor);

  /**
   * Writes a delivery of a followed stream: the same object for every session of the node, so a
   * transport may write bytes it encoded once for all (the WebSocket's frame); by default
   * {@link #send(String, Buffer, String)} of its JSON.
   */
  default void send(Delivery delivery, String cursor) {
    send(delivery.type(), delivery.json(), cursor);
  }

  /** Writes a binary relay frame (transports that cannot carry one drop it). */
  void sendBinary(Buffer frame);

  /** Sends what this turn's writes left waiting (called at the end of the event-loop turn). */
  void flush();

  /** Bytes handed to this transport that the client has not taken yet. */
  long backlog();

  /** True once nothing more can be written (the client is gone or the goodbye was said). */
  boolean isClosed();

  /**
   * Called every quarter heartbeat: keeps the connection alive (a ping, a comment line) and
   * answers the disconnect it wants when the client went silent, or null.
   */
  Disconnect heartbeat(long now);

  /**
   * Says goodbye in this transport's form of {@code why} (a close frame, a last SSE event, a poll
   * answer), with the reconnect advice {@code afterMs} and a service's {@code reason} where the
   * form carries them (nullable), then ends. Completes once the last bytes are written or the
   * client is gone.
   */
  Future<Void> close(Disconnect why, long afterMs, String reason);
}
