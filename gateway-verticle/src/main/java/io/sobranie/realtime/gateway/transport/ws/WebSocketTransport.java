package io.sobranie.realtime.gateway.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandler;
import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.gateway.hub.Delivery;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.sobranie.realtime.gateway.protocol.WebSocketWire;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Transport;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A session over a WebSocket (PROTOCOL.md section 3). Server frames are written as bytes
 * ({@link WebSocketWire}) from a handler of ours at the socket end of the Netty pipeline (after
 * TLS where there is one), past Vert.x's WebSocket encoder and the HTTP encoder Netty removes
 * only once the handshake response is out: a stream's delivery as the frame encoded once per
 * node, shared by every socket; a turn's frames go out together at its end (one flush, one
 * system call). Vert.x keeps the
 * handshake, reading, pings and the close handshake. A message over {@code MAX_FRAME_BYTES}
 * closes it 1009; the session's disconnects become close frames with the code and reason of
 * the {@link Disconnect} table.
 */
public final class WebSocketTransport implements Transport {
  private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
  /** Frames are sent before the end of the turn once this many bytes wait (a replay, a burst). */
  static final int FLUSH_BYTES = 16 * 1024;

  private final ServerWebSocket socket;
  private final Channel channel;
  /** Where our frames enter the pipeline; set by {@link #serve}. */
  private ChannelHandlerContext out;
  /**
   * Frames written before Vert.x's own writes so far (the handshake response) are surely in the
   * channel: held, then written in order. Null once flowing.
   */
  private List<ByteBuf> held = new ArrayList<>();
  private final long heartbeatMs;
  private final int maxMessageBytes;
  private Session session;
  /** Set once the close handshake started or the socket closed: nothing more is written. */
  private boolean closed;
  /** Bytes written this turn and not yet flushed. */
  private int unflushed;
  /** Bytes of the client message being received in fragments. */
  private long incoming;
  private boolean refusing;
  private long lastReceived;
  private long lastPing;

  /**
   * @param channel         the socket's Netty channel (the connection Vert.x upgraded)
   * @param outboundBudget  {@code OUTBOUND_BUDGET_BYTES}: Netty reports the channel unwritable
   *                        past it and writable again under half, which resumes paced replays
   * @param maxMessageBytes the largest client message ({@code MAX_FRAME_BYTES}); the server's
   *                        frame limits must let twice that through, so the close is read, not reset
   */
  public WebSocketTransport(ServerWebSocket socket, Channel channel, long heartbeatMs, long outboundBudget,
                            int maxMessageBytes) {
    this.socket = socket;
    this.channel = channel;
    this.heartbeatMs = heartbeatMs;
    this.maxMessageBytes = maxMessageBytes;
    int high = (int) Math.min(Integer.MAX_VALUE, Math.max(2, outboundBudget));
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
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
    socket.closeHandler(v -> {
      closed = true;
      session.onClosed();
    });
    FrameOutlet outlet = new FrameOutlet(session);
    ChannelPipeline pipeline = channel.pipeline();
    SslHandler tls = pipeline.get(SslHandler.class);
    if (tls == null) {
      pipeline.addFirst("realtime-frames", outlet);
    } else {
      pipeline.addAfter(pipeline.context(tls).name(), "realtime-frames", outlet);
    }
    out = pipeline.context(outlet);
    // A ping through Vert.x's write queue: once written, so is everything Vert.x wrote before it.
    // Held frames go out even when a close was asked meanwhile: its frame is queued behind the ping.
    socket.writePing(Buffer.buffer()).onComplete(written -> {
      List<ByteBuf> frames = held;
      held = null;
      frames.forEach(this::writeToChannel);
      flush();
    });
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

  @Override
  public void send(String type, Buffer json, String cursor) {
    write(WebSocketWire.text(json));
  }

  /** The delivery's frame, encoded once for every socket of the node; written as a duplicate (its own reader index). */
  @Override
  public void send(Delivery delivery, String cursor) {
    write(delivery.webSocketFrame().duplicate());
  }

  @Override
  public void sendBinary(Buffer frame) {
    write(WebSocketWire.binary(frame));
  }

  private void write(ByteBuf frame) {
    if (closed) {
      return;
    }
    if (held != null) {
      held.add(frame);
    } else {
      writeToChannel(frame);
    }
  }

  private void writeToChannel(ByteBuf frame) {
    unflushed += frame.readableBytes();
    out.write(frame, out.voidPromise());
    if (unflushed >= FLUSH_BYTES) {
      flush();
    }
  }

  @Override
  public void flush() {
    if (unflushed > 0) {
      unflushed = 0;
      out.flush();
    }
  }

  /** What Netty holds for the socket, flushed or not, and what waits for the handshake. */
  @Override
  public long backlog() {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    long waiting = 0;
    if (held != null) {
      for (ByteBuf frame : held) {
        waiting += frame.readableBytes();
      }
    }
    return waiting + (buffer == null ? 0 : buffer.totalPendingWriteBytes());
  }

  @Override
  public boolean isClosed() {
    return closed || socket.isClosed();
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
    closed = true;
    return socket.close((short) why.closeCode(), text);
  }

  /**
   * Our place in the pipeline: frames written from its context go only through what lies toward
   * the socket (TLS). It also tells the session when Netty finds the socket writable again (its
   * backlog fell under half the budget).
   */
  private static final class FrameOutlet extends ChannelDuplexHandler {
    private final Session session;

    FrameOutlet(Session session) {
      this.session = session;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        session.onDrained();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public boolean isSharable() {
      return false;
    }
  }
}
