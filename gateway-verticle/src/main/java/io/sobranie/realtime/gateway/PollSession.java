package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Envelope;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One long-poll request (PROTOCOL.md section 5): follows the streams from the request's cursor,
 * answers as soon as there is at least one event (or at the timeout with none), with the cursor
 * after the last event it includes. Holds no state between polls, so any node can answer the next.
 */
final class PollSession extends CursorSession {
  private static final Logger LOG = Logger.getLogger(PollSession.class.getName());

  private final HttpServerResponse response;
  private final io.netty.channel.Channel channel;
  private final List<Buffer> events = new ArrayList<>();
  private long collected;
  private boolean started;
  private boolean answerScheduled;
  private boolean gotNotification;
  private boolean countAppended;
  private long timer = -1;

  PollSession(HttpServerResponse response, io.netty.channel.Channel channel, Principal principal, Shard shard,
              GatewayContext gateway) {
    super(principal, shard, gateway);
    this.response = response;
    this.channel = channel;
  }

  @Override
  String transport() {
    return "poll";
  }

  /** @param first true when the client sent no cursor: the unread count comes first, then the offline queue */
  void open(Cursor from, List<String> requested, long timeoutMs, boolean first) {
    response.closeHandler(v -> {
      cleanup();
      finished.tryComplete();
    });
    written.putAll(from); // answered early (shutdown), the reply still carries the client's place
    register(false);
    RequestDeadlines.sessionStarted(channel);
    unreadAndWatermark().onComplete(read -> {
      if (closed) {
        return;
      }
      if (read.failed()) {
        LOG.log(Level.WARNING, "notification state unavailable user=" + principal.userId(), read.cause());
        if (RestApi.sendError(response, new RealtimeException(ErrorCode.UNAVAILABLE, "notifications unavailable, poll again"))) {
          gateway.metrics().errorSent(ErrorCode.UNAVAILABLE);
        }
        cleanup();
        RequestDeadlines.sessionEnded(channel);
        finished.tryComplete();
        return;
      }
      if (first) {
        events.add(Buffer.buffer(Frames.unreadCount(read.result()[0])));
      }
      timer = shard.context().owner().setTimer(Math.max(1, timeoutMs), t -> answer());
      followAll(from, requested, read.result()[1], () -> {
        started = true;
        if (!events.isEmpty() || !lost.isEmpty() || timeoutMs == 0) {
          answerSoon();
        }
      });
    });
  }

  @Override
  protected void write(Subscription subscription, Delivery delivery) {
    if (delivery.kind() == Envelope.Kind.BINARY) {
      return; // binary relays are for WebSocket clients; others fetch files over REST
    }
    gotNotification |= delivery.kind() == Envelope.Kind.NOTIFICATION;
    advance(subscription, delivery);
    collect(delivery.json());
    if (started) {
      answerSoon();
    }
  }

  /** Adds an event to the reply; its bytes count in the backlog, so a long replay is paged over several polls. */
  private void collect(Buffer event) {
    events.add(event);
    collected += event.length();
  }

  @Override
  void onUserEvent(Delivery delivery) {
    switch (delivery.kind()) {
      case UNREAD_COUNT, SIGNAL -> {
        collect(delivery.json());
        if (started) {
          answerSoon();
        }
      }
      case DISCONNECT -> answerSoon();
      default -> LOG.warning("unexpected user event " + delivery.kind());
    }
  }

  /** Answers at the end of this event-loop turn, so a burst of events goes out in one reply. */
  private void answerSoon() {
    if (!answerScheduled) {
      answerScheduled = true;
      shard.context().runOnContext(v -> answer());
    }
  }

  /**
   * Answers the poll. A reply that carries a notification ends with the current unread count:
   * counts are pushed live, and a poll that was not held when one went out would miss it.
   */
  private void answer() {
    if (closed) {
      return;
    }
    if (gotNotification && !countAppended) {
      countAppended = true;
      onThisLoop(gateway.store().notifications().unread(principal.userId())).onComplete(count -> {
        if (count.succeeded()) {
          events.add(Buffer.buffer(Frames.unreadCount(count.result())));
        }
        answer();
      });
      return;
    }
    shard.context().owner().cancelTimer(timer);
    Buffer body = Buffer.buffer("{\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      body.appendString(i == 0 ? "" : ",").appendBuffer(events.get(i));
    }
    body.appendString("],\"cursor\":").appendString(Json.encode(written.encode()));
    if (!lost.isEmpty()) {
      body.appendString(",\"recovered\":false,\"channels\":").appendString(Json.encode(lost));
    }
    body.appendString("}");
    cleanup();
    response.putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body)
        .onComplete(done -> {
          RequestDeadlines.sessionEnded(channel);
          finished.tryComplete();
        });
  }

  @Override
  protected boolean transportClosed() {
    return response.closed();
  }

  @Override
  protected long transportBacklog() {
    return collected; // the reply, sent at the end of the turn its first event came in
  }

  @Override
  protected void closeExpired() {
    // a poll ends within its timeout; the next one is authenticated afresh
  }

  @Override
  protected void closeSlow(String reason) {
    // never behind: a poll's events are written in one reply
  }

  @Override
  void heartbeat(long now) {
    // a held poll needs no ping: it is answered within its timeout
  }

  /** A held poll is answered now, with what it has (often nothing) and its cursor; the next poll goes to another node. */
  @Override
  Future<Void> goAway(long afterMs) {
    answerSoon();
    return finished.future();
  }
}
