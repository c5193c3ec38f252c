package io.sobranie.realtime.bench;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

/**
 * One simulated client: a few fields and no per-message allocation. Everything here runs on the
 * connection's event loop. It subscribes on {@code connected}, is ready once every subscription
 * is answered, then checks per-channel seq continuity and hands the tool's payload of each
 * {@code message} to the fleet's current {@link Deliveries}.
 */
final class Conn implements Handler<Buffer> {
  final int index;
  private final Fleet fleet;
  private WebSocket ws;
  private int pendingSubscriptions;
  /** Latest seq of the (single) data channel, from {@code subscribed}, then from each message. */
  private long lastSeq;
  private boolean settled;
  private boolean ready;
  private final long startNanos = System.nanoTime();

  Conn(Fleet fleet, int index) {
    this.fleet = fleet;
    this.index = index;
  }

  void opened(WebSocket socket) {
    ws = socket;
    if (socket.isClosed()) {
      fail("closed:" + socket.closeStatusCode());
      return;
    }
    socket.handler(this);
    socket.closeHandler(v -> closed(socket.closeStatusCode(), socket.closeReason()));
    socket.exceptionHandler(e -> fleet.exception(e));
  }

  boolean isReady() {
    return ready && !ws.isClosed();
  }

  void send(String text) {
    if (ws != null && !ws.isClosed()) {
      ws.writeTextMessage(text);
    }
  }

  void close() {
    if (ws != null && !ws.isClosed()) {
      ws.close();
    }
  }

  /** Not ready in time (the fleet's timer): counted as a failure and closed. */
  void timeout() {
    if (!settled) {
      fail(ws == null ? "timeout:handshake" : "timeout:subscribe");
      close();
    }
  }

  void fail(String reason) {
    if (!settled) {
      settled = true;
      fleet.failed(this, reason);
    }
  }

  private void closed(Short code, String reason) {
    if (!settled) {
      fail("closed:" + code + (reason == null || reason.isEmpty() ? "" : ":" + reason));
    } else if (ready) {
      fleet.dropped("closed:" + code);
    }
  }

  @Override
  public void handle(Buffer received) {
    byte[] frame = received.getBytes();
    int end = frame.length;
    for (int from = 0; from < end; ) {
      int lineEnd = Lines.lineEnd(frame, from, end);
      if (lineEnd > from) {
        line(frame, from, lineEnd);
      }
      from = lineEnd + 1;
    }
  }

  private void line(byte[] b, int from, int end) {
    if (Lines.isType(b, from, end, Lines.MESSAGE)) {
      message(b, from, end);
    } else if (Lines.isType(b, from, end, Lines.ACK)) {
      fleet.deliveries().ack();
    } else if (Lines.isType(b, from, end, Lines.ERROR)) {
      // Rare: parse it.
      String code = new JsonObject(new String(b, from, end - from, java.nio.charset.StandardCharsets.UTF_8)).getString("code", "?");
      fleet.deliveries().error(code);
      if (!settled) {
        fail("error:" + code);
        close();
      }
    } else if (Lines.isType(b, from, end, Lines.SUBSCRIBED)) {
      lastSeq = Math.max(0, Lines.longAfter(b, from, end, Lines.SEQ));
      if (--pendingSubscriptions == 0 && !settled) {
        settled = true;
        ready = true;
        fleet.ready(this, System.nanoTime() - startNanos);
      }
    } else if (Lines.isType(b, from, end, Lines.CONNECTED)) {
      String[] channels = fleet.channelsOf(index);
      pendingSubscriptions = channels.length;
      for (String channel : channels) {
        ws.writeTextMessage("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      }
    }
  }

  private void message(byte[] b, int from, int end) {
    long seq = Lines.longAfter(b, from, end, Lines.SEQ);
    Deliveries d = fleet.deliveries();
    if (seq > 0) {
      if (seq > lastSeq + 1) {
        d.seqGap();
      } else if (seq <= lastSeq) {
        d.seqRepeat();
      }
      lastSeq = Math.max(lastSeq, seq);
    }
    long number = Lines.longAfter(b, from, end, Lines.NUMBER);
    if (number >= 0) {
      d.delivered(number, Lines.longAfter(b, from, end, Lines.TIME));
    }
  }
}
