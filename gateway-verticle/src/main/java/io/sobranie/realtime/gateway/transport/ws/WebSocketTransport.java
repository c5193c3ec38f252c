package io.sobranie.realtime.gateway.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.gateway.hub.Delivery;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.sobranie.realtime.gateway.protocol.WebSocketWire;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A session over a WebSocket (PROTOCOL.md section 3), on the connection's Netty pipeline after
 * {@link WebSocketHandshake}: it reads the frames Netty's decoder makes (messages assembled from
 * fragments up to {@code MAX_FRAME_BYTES}, pings answered, the close handshake) and writes
 * frames as bytes ({@link WebSocketWire}): a stream's delivery as the frame encoded once per node
 * and shared by every socket, a turn's frames together at its end (one flush, one system call).
 * Netty's watermarks at the outbound budget tell the session when the client caught up.
 */
public final class WebSocketTransport extends ChannelInboundHandlerAdapter implements Transport {
  private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
  /** Frames are sent before the end of the turn once this many bytes wait (a replay, a burst). */
  static final int FLUSH_BYTES = 16 * 1024;
  /** How long a close frame waits for the client's before the connection is dropped (Vert.x's default too). */
  static final long CLOSE_WAIT_MS = 10_000;

  /** The shard's: Netty calls this handler outside any Vert.x context, session code runs within it. */
  private final ContextInternal context;
  private final long heartbeatMs;
  private final int maxMessageBytes;
  private final int outboundBudget;
  /** Completes when the connection is closed; made by {@link #close}. */
  private Promise<Void> ended;
  private ChannelHandlerContext ctx;
  private Session session;
  private Inbound inbound;
  /** The message being received in fragments (null when none, or when it is refused). */
  private ByteBuf fragments;
  private boolean fragmentsText;
  /** Bytes of the current message so far. */
  private long messageBytes;
  private boolean refusing;
  private long lastReceived;
  private long lastPing;
  /** When a ping the client has not answered yet was handed to the socket (0: none is out). */
  private long pingWritten;
  /**
   * Frames written before the 101 has left (the session opens as soon as the upgrade is
   * answered): held, then written right behind it, so a client reads them only after the
   * handshake (Vert.x's own client lost a frame that came in the same read as the 101). Null once
   * the 101 is out.
   */
  private List<ByteBuf> held = new ArrayList<>();
  /** A close asked for while frames were held: said once they are out. */
  private Runnable closeWhenReleased;
  /** Bytes written this turn and not yet flushed. */
  private int unflushed;
  /** Our close frame is written: nothing more is. */
  private boolean closeSent;
  private boolean closeReceived;
  /** The decoder gave up on the input (a protocol violation): the client's close frame cannot be read. */
  private boolean inputBroken;
  private ScheduledFuture<?> closeTimer;

  /**
   * @param outboundBudget  {@code OUTBOUND_BUDGET_BYTES}: Netty reports the channel unwritable
   *                        past it and writable again under half, which resumes paced replays
   * @param maxMessageBytes the largest client message ({@code MAX_FRAME_BYTES})
   */
  public WebSocketTransport(Context context, long heartbeatMs, long outboundBudget, int maxMessageBytes) {
    this.context = (ContextInternal) context;
    this.heartbeatMs = heartbeatMs;
    this.maxMessageBytes = maxMessageBytes;
    this.outboundBudget = (int) Math.min(Integer.MAX_VALUE, Math.max(2, outboundBudget));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    lastReceived = lastPing = System.currentTimeMillis();
    ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(outboundBudget / 2, outboundBudget));
    ctx.channel().closeFuture().addListener(closed -> onChannelClosed());
  }

  /** The 101 is written (or could not be): held frames go out behind it. */
  void upgraded(Future<Void> response) {
    response.onComplete(written -> {
      List<ByteBuf> frames = held;
      held = null;
      if (written.failed()) {
        frames.forEach(ByteBuf::release);
        ctx.close();
        return;
      }
      frames.forEach(this::writeToChannel);
      flush();
      if (closeWhenReleased != null) {
        closeWhenReleased.run();
      }
    });
  }

  /** Carries {@code session}: client messages go to {@code inbound} once the session is open. */
  public void serve(Session session, Inbound inbound) {
    this.session = session;
    this.inbound = inbound;
    ctx.channel().config().setAutoRead(false);
    session.openSocket(this::opened);
  }

  /** Bad credentials: the close frame is all the client gets (PROTOCOL.md section 1). */
  public void refuse(Disconnect why) {
    close(why, 0, null);
  }

  /** Client frames wait in the socket until the session is open (its implicit streams joined). */
  private void opened() {
    ctx.channel().config().setAutoRead(true);
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Every frame is a sign of life. */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    lastReceived = System.currentTimeMillis();
    pingWritten = 0;
    try {
      context.dispatch(frame, this::onFrame);
    } finally {
      frame.release();
    }
  }

  private void onFrame(WebSocketFrame frame) {
    if (frame instanceof PingWebSocketFrame) {
      if (!closeSent) {
        writeToChannel(WebSocketWire.pong(frame.content()));
        flush();
      }
    } else if (frame instanceof CloseWebSocketFrame close) {
      onCloseFrame(close);
    } else if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
        || frame instanceof ContinuationWebSocketFrame) {
      onData(frame);
    }
    // a pong: only a sign of life
  }

  /** Text, binary and continuation frames (Netty's decoder has checked their order). */
  private void onData(WebSocketFrame frame) {
    if (!(frame instanceof ContinuationWebSocketFrame)) {
      fragmentsText = frame instanceof TextWebSocketFrame;
      messageBytes = 0;
      refusing = false;
    }
    ByteBuf content = frame.content();
    messageBytes += content.readableBytes();
    if (refusing || session == null || closeSent) {
      return;
    }
    if (messageBytes > maxMessageBytes) {
      refusing = true; // the rest of the message is read and dropped: the close frame follows it
      releaseFragments();
      session.close(Disconnect.TOO_LARGE, 0, null);
      return;
    }
    if (fragments == null && frame.isFinalFragment()) {
      deliver(fragmentsText, content);
      return;
    }
    if (fragments == null) {
      fragments = Unpooled.buffer(content.readableBytes() * 2);
    }
    fragments.writeBytes(content);
    if (frame.isFinalFragment()) {
      ByteBuf whole = fragments;
      fragments = null;
      try {
        deliver(fragmentsText, whole);
      } finally {
        whole.release();
      }
    }
  }

  /**
   * Text is checked for UTF-8 and parsed before this returns, so it is read where it lies; binary
   * is relayed later, so copied.
   */
  private void deliver(boolean text, ByteBuf content) {
    if (text && !ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
      refusing = true;
      session.close(Disconnect.INVALID_TEXT, 0, null);
    } else if (text) {
      inbound.text(session, BufferInternal.buffer(content));
    } else {
      inbound.binary(session, Buffer.buffer(ByteBufUtil.getBytes(content)));
    }
  }

  /** The client's close: answered with its code (section 5.5.1) unless ours went first, then the connection ends. */
  private void onCloseFrame(CloseWebSocketFrame close) {
    closeReceived = true;
    if (closeSent) {
      ctx.close();
      return;
    }
    closeSent = true;
    int code = close.content().readableBytes() >= 2 ? close.statusCode() : -1;
    unflushed = 0;
    ctx.writeAndFlush(WebSocketWire.close(code, null)).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * What Netty's decoder refuses (a protocol violation 1002, a frame over twice the limit 1009, a
   * close frame's invalid reason 1007): the input cannot be read further.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException broken) {
      inputBroken = true;
      releaseFragments();
      Disconnect why = disconnectFor(broken.closeStatus());
      if (session != null) {
        context.dispatch(v -> session.close(why, 0, null));
      } else {
        close(why, 0, null);
      }
      return;
    }
    LOG.log(Level.FINE, "websocket error connection=" + (session == null ? "-" : session.id()), cause);
    ctx.close();
  }

  private static Disconnect disconnectFor(WebSocketCloseStatus status) {
    if (status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
      return Disconnect.TOO_LARGE;
    }
    if (status.code() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
      return Disconnect.INVALID_TEXT;
    }
    return Disconnect.PROTOCOL_ERROR;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && session != null) {
      context.dispatch(v -> session.onDrained());
    }
  }

  /** Read events stop here: Vert.x's connection behind us only hears that the connection closed. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
  }

  private void onChannelClosed() {
    closeSent = true;
    if (closeTimer != null) {
      closeTimer.cancel(false);
    }
    releaseFragments();
    context.dispatch(v -> {
      if (ended != null) {
        ended.tryComplete();
      }
      if (session != null) {
        session.onClosed();
      }
    });
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  // ---- writing --------------------------------------------------------------------------------

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
    if (closeSent) {
      frame.release();
      return;
    }
    writeToChannel(frame);
  }

  private void writeToChannel(ByteBuf frame) {
    if (held != null) {
      held.add(frame);
      return;
    }
    unflushed += frame.readableBytes();
    ctx.write(frame, ctx.voidPromise());
    if (unflushed >= FLUSH_BYTES) {
      flush();
    }
  }

  @Override
  public void flush() {
    if (unflushed > 0) {
      unflushed = 0;
      ctx.flush();
    }
  }

  /** What Netty holds for the socket, flushed or not, and what waits for the 101. */
  @Override
  public long backlog() {
    long waiting = 0;
    if (held != null) {
      for (ByteBuf frame : held) {
        waiting += frame.readableBytes();
      }
    }
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    return waiting + (buffer == null ? 0 : buffer.totalPendingWriteBytes());
  }

  @Override
  public boolean isClosed() {
    return closeSent || !ctx.channel().isActive();
  }

  /**
   * Pings every heartbeat. A client silent (no frame, no pong) for two is {@link Disconnect#IDLE}
   * once a ping has been out on the socket for a heartbeat: a ping still queued behind deliveries
   * the client has not read yet cannot be answered (under load it waited there for seconds, and
   * live clients were closed). Silent for four, it is idle whatever became of the pings.
   */
  @Override
  public Disconnect heartbeat(long now) {
    long silent = now - lastReceived;
    boolean unanswered = pingWritten > 0 && now - pingWritten >= heartbeatMs;
    if (silent >= 2 * heartbeatMs && (unanswered || silent >= 4 * heartbeatMs)) {
      return Disconnect.IDLE;
    }
    if (now - lastPing >= heartbeatMs && !closeSent) {
      lastPing = now;
      ping();
    }
    return null;
  }

  private void ping() {
    if (held != null) {
      writeToChannel(WebSocketWire.ping());
      return;
    }
    unflushed = 0;
    ctx.writeAndFlush(WebSocketWire.ping()).addListener(written -> {
      if (written.isSuccess() && pingWritten == 0) {
        pingWritten = System.currentTimeMillis();
      }
    });
  }

  /**
   * Writes the close frame after everything before it, then waits for the client's close frame
   * (at most {@link #CLOSE_WAIT_MS}; not at all when the input is broken) and drops the connection.
   */
  @Override
  public Future<Void> close(Disconnect why, long afterMs, String reason) {
    if (ended == null) {
      ended = Promise.promise();
      if (!ctx.channel().isActive()) {
        ended.complete();
      }
    }
    if (!closeSent && ctx.channel().isActive()) {
      closeSent = true;
      ctx.channel().config().setAutoRead(true); // to read the client's close frame
      String text = why == Disconnect.BY_SERVICE && reason != null ? reason : why.reason();
      if (held != null) {
        closeWhenReleased = () -> sayGoodbye(why, text);
      } else {
        sayGoodbye(why, text);
      }
    }
    return ended.future();
  }

  private void sayGoodbye(Disconnect why, String text) {
    if (ctx.channel().isActive()) {
      unflushed = 0;
      ctx.writeAndFlush(WebSocketWire.close(why.closeCode(), text)).addListener(written -> {
        if (closeReceived || inputBroken || !written.isSuccess()) {
          ctx.close();
        } else if (ctx.channel().isActive()) {
          closeTimer = ctx.executor().schedule(() -> ctx.close(), CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
      });
    }
  }
}
