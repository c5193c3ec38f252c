package io.sobranie.realtime.client;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One WebSocket over {@code java.net.http}: whole messages in (fragments are joined), sends
 * chained (the JDK allows one outstanding send), and every event handed to the {@link Loop}.
 * Once closed or aborted by us (or closed by the server), its late events are dropped.
 */
final class Connection implements WebSocket.Listener {
  /** Events of a connection, called on the loop. */
  interface Handler {
    void text(Connection connection, String text);

    void binary(Connection connection, byte[] frame);

    /** A ping or pong arrived: the server is there. */
    void alive(Connection connection);

    void closed(Connection connection, int code, String reason);

    void failed(Connection connection, Throwable error);
  }

  /**
   * Messages handed to the loop before reading stops. Demand is asked for again as soon as a
   * message is handed over, not after the loop handled it: the JDK (17 to 25) never reports an
   * end of stream that arrives while the listener holds no demand (its transport throws an
   * InternalError on a thread nobody watches), and a connection cut while the app handled a
   * message hung. The JDK still has that gap between handing a message to this listener and
   * asking its socket for the next (microseconds): an end of stream right behind a message can
   * still go unreported, and then the heartbeat ends the connection.
   */
  static final int READ_AHEAD = 64;

  private final Loop loop;
  private final Handler handler;
  /** Messages handed to the loop and not handled yet. */
  private final AtomicInteger handing = new AtomicInteger();
  private final StringBuilder text = new StringBuilder();
  private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
  private volatile boolean detached;
  private volatile WebSocket socket;
  /** The last send; the next one starts when it is done. Touched on the loop only. */
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

  Connection(Loop loop, Handler handler) {
    this.loop = loop;
    this.handler = handler;
  }

  /** Starts the handshake; the future fails when it does (the handler hears nothing then). */
  CompletableFuture<WebSocket> open(HttpClient http, URI uri, String bearer, Duration timeout) {
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    return builder.buildAsync(uri, this);
  }

  /** Sends a text message after the ones before it; the future completes once it is written. */
  CompletableFuture<Void> sendText(String message) {
    return chain(socket -> socket.sendText(message, true));
  }

  CompletableFuture<Void> sendBinary(byte[] message) {
    return chain(socket -> socket.sendBinary(ByteBuffer.wrap(message), true));
  }

  private CompletableFuture<Void> chain(Function<WebSocket, CompletableFuture<WebSocket>> send) {
    WebSocket open = socket;
    if (open == null || detached) {
      return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.DISCONNECTED, "not connected"));
    }
    CompletableFuture<Void> sent = sending.thenCompose(previous -> send.apply(open)).thenApply(s -> null);
    sending = sent.exceptionally(e -> null); // a failed send does not block the next (the connection reports the failure)
    return sent;
  }

  /** Closes with {@code code} (after what is being sent) and ignores whatever comes after. */
  void close(int code, String reason) {
    detached = true;
    WebSocket open = socket;
    if (open == null) {
      return;
    }
    sending.thenCompose(v -> open.sendClose(code, reason))
        .orTimeout(2, TimeUnit.SECONDS)
        .whenComplete((s, e) -> open.abort()); // do not wait for the server's close frame
  }

  /** Drops the connection at once (the server looks dead) and ignores whatever comes after. */
  void abort() {
    detached = true;
    WebSocket open = socket;
    if (open != null) {
      open.abort();
    }
  }

  // ---- WebSocket.Listener: called on the HTTP client's threads, one at a time ----------------

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      String message = text.toString();
      text.setLength(0);
      deliver(webSocket, () -> handler.text(this, message));
    } else {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    binary.writeBytes(chunk);
    if (last) {
      byte[] message = binary.toByteArray();
      binary.reset();
      deliver(webSocket, () -> handler.binary(this, message));
    } else {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    // The JDK answers the ping with a pong by itself.
    deliver(webSocket, () -> handler.alive(this));
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    deliver(webSocket, () -> handler.alive(this));
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    loop.execute(() -> {
      if (!detached) {
        detached = true;
        handler.closed(this, statusCode, reason);
      }
    });
    return null; // the JDK answers with a close frame
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    loop.execute(() -> {
      if (!detached) {
        detached = true;
        handler.failed(this, error);
      }
    });
  }

  /**
   * Hands a message to the loop and asks for the next one at once while fewer than
   * {@link #READ_AHEAD} wait there; at that many, the loop asks once it has handled one
   * (backpressure).
   */
  private void deliver(WebSocket webSocket, Runnable event) {
    if (handing.incrementAndGet() < READ_AHEAD) {
      webSocket.request(1);
    }
    loop.execute(() -> {
      try {
        if (!detached) {
          event.run();
        }
      } finally {
        if (handing.getAndDecrement() == READ_AHEAD) {
          webSocket.request(1);
        }
      }
    });
  }
}
