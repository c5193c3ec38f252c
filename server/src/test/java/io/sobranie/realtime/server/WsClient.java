package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real Vert.x WebSocket client for tests, read from the test thread: every server object
 * (text frames split on newlines, as PROTOCOL.md allows batching) lands in a queue.
 */
final class WsClient implements AutoCloseable {
  static final long WAIT_SECONDS = 10;

  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  /** Objects passed over by {@link #next(String)}, still to be taken. */
  private final Deque<JsonObject> skipped = new ArrayDeque<>();
  private final BlockingQueue<Buffer> binaries = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private volatile String closeReason;

  private WsClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
  }

  /**
   * Installs the handlers before the socket connects: the server writes {@code connected} right
   * behind its 101, and Vert.x's client hands frames that came with the 101 to whatever handler
   * is set when it resumes the socket, before a connect future's callbacks run.
   */
  private WsClient listen() {
    if (!(socket instanceof ClientWebSocket) && socket.isClosed()) { // the fallback below: closed at once
      closeReason = socket.closeReason();
      closed.complete(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode());
      return this;
    }
    socket.textMessageHandler(text -> {
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          frames.add(new JsonObject(line));
        }
      }
    });
    socket.binaryMessageHandler(binaries::add);
    socket.closeHandler(v -> {
      closeReason = socket.closeReason();
      closed.complete(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode());
    });
    return this;
  }

  /** Opens {@code /realtime/ws} with the given query (may be empty) and optional bearer token header. */
  static WsClient open(Vertx vertx, int port, String query, String bearer) {
    return open(vertx, port, "/realtime/ws", query, bearer);
  }

  /** Opens the WebSocket at {@code path} with the given query (may be empty) and optional bearer token header. */
  static WsClient open(Vertx vertx, int port, String path, String query, String bearer) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(path + (query.isEmpty() ? "" : "?" + query))
        .setAllowOriginHeader(false); // like an app or a service: only browsers send Origin
    if (bearer != null) {
      options.addHeader("Authorization", "Bearer " + bearer);
    }
    ClientWebSocket socket = client.webSocket();
    WsClient ws = new WsClient(client, socket).listen();
    try {
      socket.connect(options).await();
      return ws;
    } catch (IllegalStateException closedAtOnce) {
      // Vert.x 5.0.10's ClientWebSocket fails to hand its handlers over to a socket the server
      // closed right after the 101 (a refused token): connect again the plain way, which gives the
      // closed socket with its close code.
      return client.connect(options).map(plain -> new WsClient(client, plain).listen()).await();
    }
  }

  /** Connects with a token in the header and consumes the opening {@code connected} and {@code unread_count} frames. */
  static WsClient connect(Vertx vertx, int port, String token) {
    WsClient client = open(vertx, port, "", token);
    assertEquals("connected", client.next().getString("type"));
    assertEquals("unread_count", client.next().getString("type"));
    return client;
  }

  void send(JsonObject frame) {
    socket.writeTextMessage(frame.encode()).await();
  }

  void sendBinary(Buffer frame) {
    socket.writeBinaryMessage(frame).await();
  }

  /** The next binary message from the server. */
  Buffer nextBinary() {
    try {
      Buffer frame = binaries.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) {
        fail("no binary frame from the server within " + WAIT_SECONDS + " s");
      }
      return frame;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Sends without waiting for the write: for floods, which the server may cut off midway. */
  void sendWithoutWaiting(JsonObject frame) {
    socket.writeTextMessage(frame.encode());
  }

  void sendText(String text) {
    socket.writeTextMessage(text).await();
  }

  /** The next server object in arrival order; fails the test after {@value #WAIT_SECONDS} s without one. */
  JsonObject next() {
    if (!skipped.isEmpty()) {
      return skipped.removeFirst();
    }
    return take();
  }

  /** The next server object in arrival order, or null when none comes within {@code timeout}. */
  JsonObject poll(long timeout, TimeUnit unit) {
    if (!skipped.isEmpty()) {
      return skipped.removeFirst();
    }
    try {
      return frames.poll(timeout, unit);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private JsonObject take() {
    try {
      JsonObject frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) {
        fail("no frame from the server within " + WAIT_SECONDS + " s");
      }
      return frame;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The first server object of {@code type}. Objects of other types met on the way stay queued, in
   * order, for later calls (a sender's own {@code message} may come before or after its {@code ack}).
   */
  JsonObject next(String type) {
    for (JsonObject frame : skipped) {
      if (type.equals(frame.getString("type"))) {
        skipped.remove(frame);
        return frame;
      }
    }
    while (true) {
      JsonObject frame = take();
      if (type.equals(frame.getString("type"))) {
        return frame;
      }
      if ("error".equals(frame.getString("type"))) {
        fail("expected a '" + type + "' frame, got " + frame.encode());
      }
      skipped.addLast(frame);
    }
  }

  /** Sends a request and answers its reply, which must be of {@code replyType}. */
  JsonObject request(JsonObject frame, String replyType) {
    send(frame);
    return next(replyType);
  }

  JsonObject subscribe(String channel) {
    return request(new JsonObject().put("type", "subscribe").put("channel", channel), "subscribed");
  }

  /** Publishes and answers the ack (any live message that arrives before it is an error). */
  JsonObject publish(String channel, Object data) {
    return request(new JsonObject().put("type", "message").put("channel", channel).put("data", data), "ack");
  }

  /** Objects received but not yet taken. */
  int pending() {
    return frames.size() + skipped.size();
  }

  /** Waits for the server to close the connection; answers the close code. */
  short awaitClose() {
    try {
      return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the server did not close the connection", e);
    }
  }

  String closeReason() {
    return closeReason;
  }

  boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.close().await();
    }
    client.close();
  }

  static void assertError(JsonObject frame, String code) {
    assertEquals("error", frame.getString("type"), () -> "expected an error, got " + frame.encode());
    assertEquals(code, frame.getString("code"), frame::encode);
    assertNotNull(frame.getString("message"));
  }
}
