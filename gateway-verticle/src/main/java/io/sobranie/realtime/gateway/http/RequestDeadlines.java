package io.sobranie.realtime.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.sobranie.realtime.gateway.limits.NodeLimits;
import java.util.concurrent.TimeUnit;

/**
 * Slow-client guard on every HTTP connection, between Netty's HTTP decoder and Vert.x: a request's
 * headers must arrive whole within {@code HEADER_TIMEOUT_MS} of the connection opening (or of the
 * previous response), and a body may pause at most {@code BODY_IDLE_TIMEOUT_MS} between bytes;
 * otherwise the connection is closed. Each connection also holds one of the node's
 * {@code MAX_PENDING_CONNECTIONS} slots while it is neither a WebSocket nor a session (an SSE
 * stream or a held poll): past the cap a new connection is closed at once. A WebSocket upgrade
 * removes this handler; a session takes the connection out of the count until it ends.
 */
public final class RequestDeadlines extends ChannelDuplexHandler {
  public static final String NAME = "request-deadlines";

  private final NodeLimits limits;
  private final long headerTimeoutMs;
  private final long bodyIdleTimeoutMs;
  private ScheduledFuture<?> timer;
  private boolean inRequest;
  private boolean pending = true;

  private RequestDeadlines(NodeLimits limits, long headerTimeoutMs, long bodyIdleTimeoutMs) {
    this.limits = limits;
    this.headerTimeoutMs = headerTimeoutMs;
    this.bodyIdleTimeoutMs = bodyIdleTimeoutMs;
  }

  /**
   * Guards a new connection (before it reads anything): false, and the connection closed, when
   * the node already holds {@code MAX_PENDING_CONNECTIONS} of them.
   */
  public static boolean guard(Channel channel, NodeLimits limits, long headerTimeoutMs, long bodyIdleTimeoutMs) {
    if (!limits.reservePending()) {
      channel.close();
      return false;
    }
    channel.pipeline().addBefore("handler", NAME, new RequestDeadlines(limits, headerTimeoutMs, bodyIdleTimeoutMs));
    return true;
  }

  /** The connection now carries a session (SSE stream, held poll): it leaves the pending count. */
  public static void sessionStarted(Channel channel) {
    RequestDeadlines guard = channel.pipeline().get(RequestDeadlines.class);
    if (guard != null) {
      guard.releasePending();
    }
  }

  /** A session's response has ended; a kept-alive connection counts as pending again (closed if there is no room). */
  public static void sessionEnded(Channel channel) {
    RequestDeadlines guard = channel.pipeline().get(RequestDeadlines.class);
    if (guard != null && !guard.pending && channel.isActive()) {
      if (guard.limits.reservePending()) {
        guard.pending = true;
      } else {
        channel.close();
      }
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    await(ctx, headerTimeoutMs);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      inRequest = true;
      cancel();
    }
    if (msg instanceof LastHttpContent) {
      cancel(); // the request is complete: its handler answers in its own time
    } else if (msg instanceof HttpContent || msg instanceof HttpRequest) {
      await(ctx, bodyIdleTimeoutMs);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse response && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
      cancel();
      releasePending();
      ctx.pipeline().remove(this); // a WebSocket from here: its own liveness rules apply
    } else if (msg instanceof LastHttpContent && inRequest) {
      inRequest = false;
      await(ctx, headerTimeoutMs); // the next request on this kept-alive connection
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    releasePending();
    super.channelInactive(ctx);
  }

  private void await(ChannelHandlerContext ctx, long timeoutMs) {
    cancel();
    timer = ctx.executor().schedule(() -> {
      timer = null;
      ctx.channel().close();
    }, timeoutMs, TimeUnit.MILLISECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void releasePending() {
    if (pending) {
      pending = false;
      limits.releasePending();
    }
  }
}
