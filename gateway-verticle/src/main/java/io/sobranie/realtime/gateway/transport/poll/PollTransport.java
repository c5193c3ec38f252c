package io.sobranie.realtime.gateway.transport.poll;

import io.netty.channel.Channel;
import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.gateway.http.RequestDeadlines;
import io.sobranie.realtime.gateway.session.Cursor;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Transport;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * A session over one held long-poll (PROTOCOL.md section 5): objects are collected, and the
 * session's end is the reply: {@code {"events":[…],"cursor":…}}, with {@code recovered:false}
 * and the channels when the cursor was too old. Holds no state between polls, so any node can
 * answer the next.
 */
public final class PollTransport implements Transport {
  private final HttpServerResponse response;
  private final Channel channel;
  private final List<Buffer> events = new ArrayList<>();
  private Session session;
  /** Bytes collected for the reply: they count in the backlog, so a long replay is paged over several polls. */
  private long collected;
  private boolean answered;

  public PollTransport(HttpServerResponse response, Channel channel) {
    this.response = response;
    this.channel = channel;
  }

  /** Holds the poll for {@code session}; {@code first}: no cursor, the unread count and offline queue come first. */
  public void serve(Session session, Cursor from, List<String> channels, long timeoutMs, boolean first) {
    this.session = session;
    response.closeHandler(v -> {
      session.onClosed();
      RequestDeadlines.sessionEnded(channel);
    });
    RequestDeadlines.sessionStarted(channel);
    session.openPoll(from, channels, timeoutMs, first);
  }

  @Override
  public String name() {
    return "poll";
  }

  @Override
  public void send(String type, Buffer json, String cursor) {
    if (!answered) {
      events.add(json);
      collected += json.length();
    }
  }

  /** Binary relays are for WebSocket clients; others fetch files over REST. */
  @Override
  public void sendBinary(Buffer frame) {
  }

  @Override
  public void flush() {
  }

  @Override
  public long backlog() {
    return collected;
  }

  @Override
  public boolean isClosed() {
    return answered || response.closed();
  }

  /** A held poll needs no ping: it is answered within its timeout. */
  @Override
  public Disconnect heartbeat(long now) {
    return null;
  }

  /** Answers the poll with what it collected and the session's cursor, whatever ends it. */
  @Override
  public Future<Void> close(Disconnect why, long afterMs, String reason) {
    if (answered || response.closed()) {
      answered = true;
      return Future.succeededFuture();
    }
    answered = true;
    Buffer body = Buffer.buffer((int) Math.min(Integer.MAX_VALUE, collected + 128)).appendString("{\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      body.appendString(i == 0 ? "" : ",").appendBuffer(events.get(i));
    }
    body.appendString("],\"cursor\":").appendString(Json.encode(session.cursorText()));
    if (!session.notRecovered().isEmpty()) {
      body.appendString(",\"recovered\":false,\"channels\":").appendString(Json.encode(session.notRecovered()));
    }
    body.appendString("}");
    return response.putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body)
        .andThen(done -> RequestDeadlines.sessionEnded(channel));
  }
}
