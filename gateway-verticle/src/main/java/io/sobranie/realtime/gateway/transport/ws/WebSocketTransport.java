package io.sobranie.realtime.gateway.transport.ws;

import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Transport;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A session over a WebSocket (PROTOCOL.md section 3): objects written in one event-loop turn go
 * out as one text frame, joined by newlines (adaptive batching, DESIGN.md); pings keep it alive;
 * a message over {@code MAX_FRAME_BYTES} closes it 1009; the session's disconnects become close
 * frames with the code and reason of the {@link Disconnect} table.
 */
public final class WebSocketTransport implements Transport {
  private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
  /** A batch never grows past this (clients such as Vert.x's accept 64 KiB frames by default). */
  static final int MAX_BATCH_BYTES = 16 * 1024;

  private final ServerWebSocket socket;
  private final long heartbeatMs;
  private final int maxMessageBytes;
  private Session session;
  /**
   * Text written this turn and not yet sent: one encoded object (shared, not copied), or several
   * joined by '\n' in a buffer of our own (PROTOCOL.md: clients split on newlines).
   */
  private Buffer unsent;
  private boolean unsentIsBatch;
  /** Bytes handed to the socket whose write has not completed (Vert.x's queue and Netty's). */
  private long unwritten;
  /** Bytes of the client message being received in fragments. */
  private long incoming;
  private boolean refusing;
  private long lastReceived;
  private long lastPing;

  /**
   * @param maxMessageBytes the largest client message ({@code MAX_FRAME_BYTES}); the server's
   *                        frame limits must let twice that through, so the close is read, not reset
   */
  public WebSocketTransport(ServerWebSocket socket, long heartbeatMs, int maxMessageBytes) {
    this.socket = socket;
    this.heartbeatMs = heartbeatMs;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Carries {@code session}: client frames go to {@code inbound} once the session is open. */
  public void serve(Session session, Inbound inbound) {
    this.session = session;
    lastReceived = lastPing = System.currentTimeMillis();
    socket.pause();
    socket.frameHandler(this::onFrame);
    socket.textMessageHandler(text -> {
      if (!refusing) {
        inbound.text(session, text);
      }
    });
    socket.binaryMessageHandler(bytes -> {
      if (!refusing) {
        inbound.binary(session, bytes);
      }
    });
    socket.exceptionHandler(failure -> LOG.log(Level.FINE, "websocket error connection=" + session.id(), failure));
    socket.closeHandler(v -> session.onClosed());
    session.openSocket(socket::resume);
  }

  /** Every frame is a sign of life; a message growing past the limit is refused before it is handled. */
  private void onFrame(WebSocketFrame frame) {
    lastReceived = System.currentTimeMillis();
    if (!frame.isText() && !frame.isBinary() && !frame.isContinuation()) {
      return;
    }
    incoming += frame.binaryData().length();
    if (incoming > maxMessageBytes && !refusing) {
      refusing = true;
      session.close(Disconnect.TOO_LARGE, 0, null);
    }
    if (frame.isFinal()) {
      incoming = 0;
    }
  }

  @Override
  public String name() {
    return "websocket";
  }

  /** Queues one encoded object for this turn's frame; alone, it goes out at the end of the turn. */
  @Override
  public void send(String type, Buffer json, String cursor) {
    if (socket.isClosed()) {
      return;
    }
    if (unsent == null) {
      unsent = json;
      unsentIsBatch = false;
      return;
    }
    if (unsent.length() + 1 + json.length() > MAX_BATCH_BYTES) {
      flush();
      unsent = json;
      unsentIsBatch = false;
      return;
    }
    if (!unsentIsBatch) {
      unsent = Buffer.buffer(Math.min(MAX_BATCH_BYTES, 4 * (unsent.length() + json.length()))).appendBuffer(unsent);
      unsentIsBatch = true;
    }
    unsent.appendByte((byte) '\n').appendBuffer(json);
  }

  @Override
  public void sendBinary(Buffer frame) {
    if (!socket.isClosed()) {
      flush(); // text written before it goes first
      counted(socket.writeFrame(WebSocketFrames.binary(frame)), frame.length());
    }
  }

  /** Writes the batch as one text frame (the bytes may be shared with other sockets; the frame object is not). */
  @Override
  public void flush() {
    Buffer frame = unsent;
    if (frame == null) {
      return;
    }
    unsent = null;
    if (!socket.isClosed()) {
      counted(socket.writeFrame(WebSocketFrames.text(frame)), frame.length());
    }
  }

  private void counted(Future<Void> write, long bytes) {
    unwritten += bytes;
    write.onComplete(done -> {
      unwritten -= bytes;
      session.onDrained();
    });
  }

  @Override
  public long backlog() {
    return unwritten + (unsent == null ? 0 : unsent.length());
  }

  @Override
  public boolean isClosed() {
    return socket.isClosed();
  }

  /** Pings every heartbeat; a client silent (no frame, no pong) for two is {@link Disconnect#IDLE}. */
  @Override
  public Disconnect heartbeat(long now) {
    if (now - lastReceived >= 2 * heartbeatMs) {
      return Disconnect.IDLE;
    }
    if (now - lastPing >= heartbeatMs) {
      lastPing = now;
      socket.writePing(Buffer.buffer());
    }
    return null;
  }

  @Override
  public Future<Void> close(Disconnect why, long afterMs, String reason) {
    String text = why == Disconnect.BY_SERVICE && reason != null ? reason : why.reason();
    return socket.close((short) why.closeCode(), text);
  }
}
