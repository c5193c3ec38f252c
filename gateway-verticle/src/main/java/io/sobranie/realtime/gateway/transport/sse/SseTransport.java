package io.sobranie.realtime.gateway.transport.sse;

import io.netty.channel.Channel;
import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.gateway.http.RequestDeadlines;
import io.sobranie.realtime.gateway.session.Cursor;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Transport;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * A session over a Server-Sent Events stream (PROTOCOL.md section 4): {@code retry:} first, then
 * each object as an event named by its type, with an {@code id:} cursor where the session gives
 * one; a {@code : ping} comment keeps proxies from closing an idle stream; a disconnect ends the
 * response (the session writes its {@code error} or {@code reconnect} event before).
 */
public final class SseTransport implements Transport {
  static final long RETRY_MS = 3000;
  static final long MAX_PING_INTERVAL_MS = 15_000;

  private final HttpServerResponse response;
  private final Channel channel;
  private final long pingIntervalMs;
  private Session session;
  private long unwritten;
  private long lastWrite;

  public SseTransport(HttpServerResponse response, Channel channel, long heartbeatMs) {
    this.response = response;
    this.channel = channel;
    this.pingIntervalMs = Math.min(MAX_PING_INTERVAL_MS, heartbeatMs);
  }

  /** Starts the stream and carries {@code session}, following {@code channels} from {@code from}. */
  public void serve(Session session, Cursor from, List<String> channels) {
    this.session = session;
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> session.onClosed());
    response.exceptionHandler(e -> session.onClosed());
    RequestDeadlines.sessionStarted(channel);
    write(Buffer.buffer("retry: " + RETRY_MS + "\n\n"));
    session.openStream(from, channels);
  }

  @Override
  public String name() {
    return "sse";
  }

  @Override
  public void send(String type, Buffer json, String cursor) {
    Buffer frame = Buffer.buffer(json.length() + 64 + (cursor == null ? 0 : cursor.length()));
    if (cursor != null) {
      frame.appendString("id: ").appendString(cursor).appendString("\n");
    }
    write(frame.appendString("event: ").appendString(type).appendString("\ndata: ").appendBuffer(json).appendString("\n\n"));
  }

  /** Binary relays are for WebSocket clients; others fetch files over REST. */
  @Override
  public void sendBinary(Buffer frame) {
  }

  @Override
  public void flush() {
  }

  private void write(Buffer bytes) {
    if (response.closed() || response.ended()) {
      return;
    }
    lastWrite = System.currentTimeMillis();
    unwritten += bytes.length();
    response.write(bytes).onComplete(done -> {
      unwritten -= bytes.length();
      session.onDrained();
    });
  }

  @Override
  public long backlog() {
    return unwritten;
  }

  @Override
  public boolean isClosed() {
    return response.closed() || response.ended();
  }

  @Override
  public Disconnect heartbeat(long now) {
    if (now - lastWrite >= pingIntervalMs) {
      write(Buffer.buffer(": ping\n\n"));
    }
    return null;
  }

  @Override
  public Future<Void> close(Disconnect why, long afterMs, String reason) {
    if (response.ended()) {
      return Future.succeededFuture();
    }
    return response.end().andThen(done -> RequestDeadlines.sessionEnded(channel));
  }
}
