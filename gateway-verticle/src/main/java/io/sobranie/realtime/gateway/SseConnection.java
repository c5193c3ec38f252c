package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Envelope;
import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Server-Sent Events stream (PROTOCOL.md section 4): {@code retry:}, {@code connected},
 * {@code unread_count}, the replay after {@code Last-Event-ID}, then live events, each sequenced
 * one with an {@code id:} cursor covering every stream. Events wait until every stream has its
 * position, so {@code connected} means live and a {@code recovered} event precedes all others.
 */
final class SseConnection extends CursorSession {
  private static final Logger LOG = Logger.getLogger(SseConnection.class.getName());
  static final long RETRY_MS = 3000;
  static final long MAX_PING_INTERVAL_MS = 15_000;

  private final HttpServerResponse response;
  private final Channel channel;
  /** Events written before every stream started; null once flowing. */
  private List<Buffer> held = new ArrayList<>();
  private long lastWrite;

  SseConnection(HttpServerResponse response, Channel channel, Principal principal, Shard shard, GatewayContext gateway) {
    super(principal, shard, gateway);
    this.response = response;
    this.channel = channel;
  }

  @Override
  String transport() {
    return "sse";
  }

  /**
   * Every stream is joined before {@code connected} is written, so a client that has seen
   * {@code connected} receives everything published after it.
   */
  void open(Cursor from, List<String> requested) {
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> {
      cleanup();
      finished.tryComplete();
    });
    response.exceptionHandler(e -> cleanup());
    register(true);
    RequestDeadlines.sessionStarted(channel);
    write(Buffer.buffer("retry: " + RETRY_MS + "\n\n"));
    unreadAndWatermark().onComplete(read -> {
      if (closed) {
        return;
      }
      if (read.failed()) {
        LOG.log(Level.WARNING, "notification state unavailable user=" + principal.userId(), read.cause());
        writeError(new RealtimeException(ErrorCode.UNAVAILABLE, "notifications unavailable"));
        end();
        return;
      }
      followAll(from, requested, read.result()[1], () -> flow(read.result()[0]));
    });
  }

  /** Every stream has its position: say hello, what could not be recovered, then let events through. */
  private void flow(long unread) {
    List<Buffer> queued = held;
    held = null;
    write(frame("connected", null, new JsonObject().put("type", "connected").put("connectionId", id)
        .put("userId", principal.userId()).put("node", gateway.config().nodeId()).toBuffer()));
    write(frame("unread_count", null, Buffer.buffer(Frames.unreadCount(unread))));
    if (!lost.isEmpty()) {
      write(frame("recovered", null, new JsonObject().put("recovered", false).put("channels", new JsonArray(lost)).toBuffer()));
    }
    queued.forEach(this::write);
  }

  @Override
  protected void write(Subscription subscription, Delivery delivery) {
    if (delivery.kind() == Envelope.Kind.BINARY) {
      return; // binary relays are for WebSocket clients; others fetch files over REST
    }
    advance(subscription, delivery);
    event(delivery.type(), delivery.sequenced() ? written.encode() : null, delivery.json());
  }

  @Override
  void onUserEvent(Delivery delivery) {
    switch (delivery.kind()) {
      case UNREAD_COUNT, SIGNAL -> event(delivery.type(), null, delivery.json());
      case DISCONNECT -> {
        write(frame("reconnect", null, new JsonObject().put("type", "reconnect").put("afterMs", 0)
            .put("reason", Json.decodeValue(delivery.json())).toBuffer()));
        end();
      }
      default -> LOG.warning("unexpected user event " + delivery.kind());
    }
  }

  /** Writes an event, or holds it while the streams are still starting. */
  private void event(String name, String id, Buffer json) {
    Buffer frame = frame(name, id, json);
    if (held != null) {
      held.add(frame);
    } else {
      write(frame);
    }
  }

  private static Buffer frame(String name, String id, Buffer json) {
    Buffer frame = Buffer.buffer(json.length() + 64);
    if (id != null) {
      frame.appendString("id: ").appendString(id).appendString("\n");
    }
    return frame.appendString("event: ").appendString(name).appendString("\ndata: ").appendBuffer(json).appendString("\n\n");
  }

  private void writeError(RealtimeException error) {
    gateway.metrics().errorSent(error.code());
    write(frame("error", null, Frames.error(error).toBuffer()));
  }

  private void write(Buffer frame) { // also while held: for the opening and for final words
    if (!closed && !response.closed()) {
      lastWrite = System.currentTimeMillis();
      counted(response.write(frame), frame.length());
    }
  }

  @Override
  protected boolean transportClosed() {
    return response.closed();
  }

  @Override
  protected long transportBacklog() {
    return unwritten;
  }

  @Override
  protected void closeExpired() {
    writeError(new RealtimeException(ErrorCode.UNAUTHORIZED, "token_expired"));
    end();
  }

  @Override
  protected void closeSlow(String reason) {
    LOG.info("slow consumer closed user=" + principal.userId() + " connection=" + id + " transport=sse reason=" + reason);
    end();
  }

  /** A comment line keeps proxies from closing an idle stream. */
  @Override
  void heartbeat(long now) {
    if (closedIfSlow(now) || closedIfExpired(now)) {
      return;
    }
    if (now - lastWrite >= Math.min(MAX_PING_INTERVAL_MS, gateway.config().heartbeatMs())) {
      write(Buffer.buffer(": ping\n\n"));
    }
  }

  @Override
  Future<Void> goAway(long afterMs) {
    write(frame("reconnect", null, new JsonObject().put("type", "reconnect").put("afterMs", afterMs).toBuffer()));
    end();
    return finished.future();
  }

  private void end() {
    if (!closed) {
      cleanup();
      response.end().onComplete(done -> {
        RequestDeadlines.sessionEnded(channel);
        finished.tryComplete();
      });
    }
  }
}
