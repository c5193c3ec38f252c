package io.sobranie.realtime.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The protocol state of one {@link RealtimeClient}: connecting and reconnecting, the followed
 * streams and their recovery, the outbound queue and the requests waiting for a reply. Every
 * method runs on the client's {@link Loop}.
 *
 * <p>The guarantees are the browser client's (realtime-client.js), over WebSocket only:
 * <ul>
 *   <li>a resubscribe carries {@code since} (the last seq handed to the app) and {@code epoch}; the
 *       server replays what was missed, the {@link Sequencer} drops what was seen, and a
 *       {@code recovered:false} answer becomes a {@link NotRecovered} event;</li>
 *   <li>messages published while disconnected wait in the {@link Outbox} and go out in order after
 *       reconnecting, each with its own {@code idem} key;</li>
 *   <li>reconnects follow {@link Backoff}, or the server's {@code reconnect {afterMs}}.</li>
 * </ul>
 */
final class Session implements Connection.Handler {
  private static final int CLOSE_NORMAL = 1000;
  private static final int CLOSE_POLICY = 1008;
  private static final int CLOSE_DISCONNECTED = 4000;
  private static final long DEFAULT_HEARTBEAT_MS = 25_000;

  private final ClientOptions options;
  private final Loop loop;
  private final Listeners listeners;
  private final Streams streams;
  private final Outbox outbox;
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<String, Long> typingSent = new HashMap<>();
  private final List<CompletableFuture<Connected>> connectWaiters = new ArrayList<>();

  private volatile ConnectionState state = ConnectionState.IDLE;
  private boolean wanted;
  /** Bumped by every attempt and by disconnect(): late answers of an older attempt are ignored. */
  private int generation;
  private int attempt;
  private int refusals;
  private Connection opening;
  private Connection connection;
  private Connected hello;
  private ScheduledFuture<?> openTimer;
  private ScheduledFuture<?> reconnectTimer;
  private ScheduledFuture<?> heartbeatTimer;
  private long lastReceived;
  private long refCounter;

  /** A request waiting for the frame with its ref: a queued message, or a presence query or binary frame. */
  private record Pending(Outbox.Entry entry, CompletableFuture<JsonNode> reply, ScheduledFuture<?> timer) {
  }

  Session(ClientOptions options, Loop loop, List<RealtimeListener> listeners) {
    this.options = options;
    this.loop = loop;
    this.listeners = new Listeners(listeners);
    this.streams = new Streams(loop, this.listeners);
    this.outbox = new Outbox(options.queueLimit());
  }

  ConnectionState state() {
    return state;
  }

  int queued() {
    return outbox.size();
  }

  // ---- connecting ---------------------------------------------------------------------------

  CompletableFuture<Connected> connect() {
    if (state == ConnectionState.CONNECTED) {
      return CompletableFuture.completedFuture(hello);
    }
    CompletableFuture<Connected> connected = new CompletableFuture<>();
    connectWaiters.add(connected);
    wanted = true;
    if (state == ConnectionState.IDLE || state == ConnectionState.CLOSED) {
      attempt = 0;
      refusals = 0;
      attempt();
    }
    return connected;
  }

  private void attempt() {
    reconnectTimer = null;
    if (!wanted) {
      return;
    }
    int current = ++generation;
    setState(ConnectionState.CONNECTING, 0, null, null);
    options.socketCredential().get().toCompletableFuture()
        .orTimeout(options.openTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((credential, failure) -> loop.execute(() -> open(current, credential, failure)));
  }

  private void open(int current, String credential, Throwable failure) {
    if (current != generation || !wanted) {
      return;
    }
    if (failure != null || credential == null || credential.isBlank()) {
      RealtimeException error = new RealtimeException(RealtimeException.UNAUTHORIZED, "the token supplier gave no "
          + (options.tickets() ? "ticket" : "token") + (failure == null ? "" : ": " + unwrap(failure)), 0, 0, null, null, failure);
      emitError(error);
      backoff("no credential", error, null);
      return;
    }
    Connection candidate = new Connection(loop, this);
    opening = candidate;
    openTimer = loop.schedule(options.openTimeout().toMillis(), () -> {
      if (opening == candidate) {
        candidate.abort();
        openFailed(new RealtimeException(RealtimeException.TIMEOUT, "no 'connected' from the server within "
            + options.openTimeout().toMillis() + " ms"));
      }
    });
    candidate.open(options.http(), socketUri(credential), options.tickets() ? null : credential, options.openTimeout())
        .whenComplete((socket, error) -> {
          if (error != null) {
            loop.execute(() -> {
              if (opening == candidate) {
                openFailed(handshakeFailure(error));
              }
            });
          }
        });
  }

  private URI socketUri(String credential) {
    String ws = options.baseUrl().replaceFirst("^http", "ws") + "/realtime/ws";
    return URI.create(options.tickets() ? ws + "?ticket=" + URLEncoder.encode(credential, StandardCharsets.UTF_8) : ws);
  }

  private static RealtimeException handshakeFailure(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof WebSocketHandshakeException handshake) {
      int status = handshake.getResponse().statusCode();
      return new RealtimeException(status == 503 ? RealtimeException.UNAVAILABLE : status == 403 ? RealtimeException.FORBIDDEN
          : RealtimeException.NETWORK, "the WebSocket upgrade was answered HTTP " + status, status, 0, null, null, cause);
    }
    return new RealtimeException(RealtimeException.NETWORK, "cannot open the WebSocket: " + cause, 0, 0, null, null, cause);
  }

  private void openFailed(RealtimeException error) {
    Loop.cancel(openTimer);
    opening = null;
    emitError(error);
    backoff(error.getMessage(), error, null);
  }

  /** The server closed 1008 {@code unauthorized} before {@code connected}: the credential is refused. */
  private void refused() {
    Loop.cancel(openTimer);
    opening = null;
    refusals++;
    RealtimeException error = new RealtimeException(RealtimeException.UNAUTHORIZED,
        "the server refused the " + (options.tickets() ? "ticket" : "token") + " (WebSocket close 1008 unauthorized)");
    emitError(error);
    if (options.fixedCredential() || refusals >= ClientOptions.MAX_REFUSALS) {
      end("unauthorized", error);
    } else {
      backoff("unauthorized", error, null); // a stale token: the supplier is asked again
    }
  }

  /** The server said {@code connected}: the session is live. */
  private void opened(Connection live, JsonNode frame) {
    Loop.cancel(openTimer);
    opening = null;
    connection = live;
    hello = Connected.of(frame);
    attempt = 0;
    refusals = 0;
    lastReceived = System.currentTimeMillis();
    setState(ConnectionState.CONNECTED, 0, null, null);
    emit(l -> l.onConnected(hello));
    List<CompletableFuture<Connected>> waiters = new ArrayList<>(connectWaiters);
    connectWaiters.clear();
    waiters.forEach(w -> w.complete(hello));
    startHeartbeat();
    for (Stream stream : streams.implicitToRecover()) { // what arrived meanwhile
      stream.openGate();
      sendSubscribe(stream);
    }
    streams.channels().forEach(this::sendSubscribe);
    pump();
  }

  /** The live connection ended; {@code afterMs} is the server's advice, or null. */
  private void lost(int code, String reason, Long afterMs) {
    connection = null;
    Loop.cancel(heartbeatTimer);
    forgetConnection(new RealtimeException(RealtimeException.DISCONNECTED, "the connection was lost before the reply"));
    if (code == CLOSE_DISCONNECTED) {
      end("disconnected by the server: " + reason, new RealtimeException(RealtimeException.CLOSED,
          "the server ended this session (" + reason + ")"));
    } else if (afterMs != null) {
      long extra = Math.round(Math.min(1000, afterMs * 0.1) * options.random().getAsDouble());
      backoff("the server asked to reconnect", null, afterMs + extra);
    } else {
      backoff("connection lost (" + code + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")", null, null);
    }
  }

  private void backoff(String reason, RealtimeException error, Long delayMs) {
    if (!wanted) {
      return;
    }
    long delay = delayMs != null ? delayMs : options.backoff().delay(attempt, options.random());
    attempt++;
    setState(ConnectionState.RECONNECTING, delay, reason, error);
    reconnectTimer = loop.schedule(delay, this::attempt);
  }

  /** Stops for good (until connect()): refused credentials, a disconnect order, or the app asked. */
  private void end(String reason, RealtimeException error) {
    wanted = false;
    generation++;
    Loop.cancel(reconnectTimer);
    Loop.cancel(openTimer);
    Loop.cancel(heartbeatTimer);
    for (Connection c : new Connection[] {opening, connection}) {
      if (c != null) {
        c.close(CLOSE_NORMAL, "client closing");
      }
    }
    opening = null;
    connection = null;
    forgetConnection(new RealtimeException(RealtimeException.DISCONNECTED, "disconnected before the reply"));
    setState(ConnectionState.CLOSED, 0, reason, error);
    RealtimeException failure = error != null ? error : new RealtimeException(RealtimeException.CLOSED, reason);
    List<CompletableFuture<Connected>> waiters = new ArrayList<>(connectWaiters);
    connectWaiters.clear();
    waiters.forEach(w -> w.completeExceptionally(failure));
  }

  /** Closes the connection and stops reconnecting; queued messages wait for a later connect(). */
  void disconnect(String reason) {
    end(reason, null);
  }

  /** disconnect(), and every queued message fails with {@code closed}. */
  void close() {
    end("close() called", null);
    outbox.failAll(new RealtimeException(RealtimeException.CLOSED, "the client was closed before the message was acknowledged"));
    streams.close();
  }

  /** Pings a quiet server and drops a connection that stays silent (a dead peer sends no close). */
  private void startHeartbeat() {
    long heartbeatMs = hello.heartbeatMs() > 0 ? hello.heartbeatMs() : DEFAULT_HEARTBEAT_MS;
    Connection live = connection;
    heartbeatTimer = loop.every(Math.max(250, heartbeatMs / 2), () -> {
      if (connection != live) {
        return;
      }
      long quiet = System.currentTimeMillis() - lastReceived;
      if (quiet > 2 * heartbeatMs + 5000) {
        live.abort();
        lost(1006, "no answer from the server", null);
      } else if (quiet >= heartbeatMs) {
        send(Frames.typed(Frames.PING, null));
      }
    });
  }

  // ---- Connection.Handler -------------------------------------------------------------------

  @Override
  public void text(Connection from, String text) {
    if (from != opening && from != connection) {
      return;
    }
    lastReceived = System.currentTimeMillis();
    for (String line : text.split("\n")) { // the server batches objects, one per line
      if (line.isBlank()) {
        continue;
      }
      JsonNode frame;
      try {
        frame = options.mapper().readTree(line);
      } catch (JsonProcessingException e) {
        emitError(new RealtimeException(RealtimeException.BAD_FRAME, "unreadable server frame: " + abbreviate(line)));
        continue;
      }
      if (frame == null || !frame.isObject()) {
        emitError(new RealtimeException(RealtimeException.BAD_FRAME, "server frame is not an object: " + abbreviate(line)));
      } else if (from == opening) {
        if (Frames.CONNECTED.equals(Json.text(frame, "type"))) {
          opened(from, frame);
        }
      } else if (from == connection) {
        dispatch(from, frame);
      }
    }
  }

  @Override
  public void binary(Connection from, byte[] frame) {
    if (from != connection) {
      return;
    }
    lastReceived = System.currentTimeMillis();
    BinaryFrames.Parsed parsed;
    try {
      parsed = BinaryFrames.parse(options.mapper(), frame);
    } catch (RealtimeException e) {
      emitError(e);
      return;
    }
    BinaryMessage message = BinaryMessage.of(parsed.header(), parsed.payload());
    Stream stream = streams.get(message.channel());
    if (stream != null) {
      Listeners.toStream(stream, l -> l.onBinary(message));
    }
  }

  @Override
  public void alive(Connection from) {
    if (from == connection) {
      lastReceived = System.currentTimeMillis();
    }
  }

  @Override
  public void closed(Connection from, int code, String reason) {
    if (from == opening) {
      if (code == CLOSE_POLICY && "unauthorized".equals(reason)) {
        refused();
      } else {
        openFailed(new RealtimeException(RealtimeException.UNAVAILABLE, "the server closed the WebSocket before "
            + "'connected' (" + code + " " + reason + ")"));
      }
    } else if (from == connection) {
      lost(code, reason, null);
    }
  }

  @Override
  public void failed(Connection from, Throwable error) {
    if (from == opening) {
      openFailed(handshakeFailure(error));
    } else if (from == connection) {
      lost(1006, String.valueOf(unwrap(error)), null);
    }
  }

  // ---- incoming frames ----------------------------------------------------------------------

  private void dispatch(Connection from, JsonNode frame) {
    String type = Json.text(frame, "type");
    switch (type == null ? "" : type) {
      case Frames.MESSAGE -> {
        Stream stream = streams.get(Json.text(frame, "channel"));
        if (stream != null) { // null: unsubscribed meanwhile
          streams.sequenced(stream, frame);
        }
      }
      case Frames.NOTIFICATION -> streams.sequenced(streams.notifications, frame);
      case Frames.TYPING -> forChannel(frame, l -> l.onTyping(Typing.of(frame)));
      case Frames.PRESENCE -> forChannel(frame, l -> l.onPresence(PresenceChange.of(frame)));
      case Frames.SUBSCRIBED -> streams.subscribed(frame);
      case Frames.ACK, Frames.PRESENCE_STATE -> reply(frame);
      case Frames.ERROR -> error(frame);
      case Frames.UNREAD_COUNT -> emit(l -> l.onUnreadCount(Json.number(frame, "count")));
      case Frames.SIGNAL -> emit(l -> l.onSignal(Signal.of(frame)));
      case Frames.RECONNECT -> {
        long afterMs = Math.max(0, Json.number(frame, "afterMs"));
        emit(l -> l.onReconnectAdvice(afterMs));
        from.close(CLOSE_NORMAL, "reconnecting as asked");
        lost(1001, "the server is going away", afterMs);
      }
      default -> {
        // unsubscribed, pong, connected: nothing to do; a type a newer server added: ignored
      }
    }
  }

  /** Typing and presence: for the listeners of that channel. */
  private void forChannel(JsonNode frame, Consumer<ChannelListener> event) {
    Stream stream = streams.get(Json.text(frame, "channel"));
    if (stream != null && !stream.implicit) {
      Listeners.toStream(stream, event);
    }
  }

  private void reply(JsonNode frame) {
    String ref = Json.text(frame, "ref");
    Pending request = ref == null ? null : pending.remove(ref);
    if (request == null) {
      return;
    }
    Loop.cancel(request.timer());
    if (request.entry() != null) {
      outbox.remove(request.entry());
      request.entry().result.complete(Ack.of(frame));
    } else {
      request.reply().complete(frame);
    }
  }

  private void error(JsonNode frame) {
    String ref = Json.text(frame, "ref");
    RealtimeException error = new RealtimeException(Json.text(frame, "code"), Json.text(frame, "message"), 0,
        Json.number(frame, "retryAfterMs"), ref, null, null);
    Pending request = ref == null ? null : pending.remove(ref);
    if (request != null) { // refused, not retried
      Loop.cancel(request.timer());
      if (request.entry() != null) {
        outbox.remove(request.entry());
        request.entry().result.completeExceptionally(error.withChannel(request.entry().channel));
      } else {
        request.reply().completeExceptionally(error);
      }
      return;
    }
    if (ref == null || !streams.refused(ref, error)) {
      emitError(error);
    }
  }

  // ---- app requests -------------------------------------------------------------------------

  /** Adds a listener to a stream; a new channel is subscribed at once when connected. */
  Stream subscribe(String channel, Position from, ChannelListener listener) {
    boolean fresh = streams.get(channel) == null;
    Stream stream = streams.follow(channel, from, listener);
    if (fresh && connection != null) {
      sendSubscribe(stream);
    }
    return stream;
  }

  /** Removes a listener; the last one gone, the channel is left. */
  void unsubscribe(Stream stream, ChannelListener listener) {
    if (streams.leave(stream, listener) && connection != null) {
      send(Frames.unsubscribe(stream.name, nextRef()));
    }
  }

  private void sendSubscribe(Stream stream) {
    stream.ref = nextRef();
    Position since = stream.position();
    stream.askedSince = since != null;
    send(Frames.subscribe(stream.name, since, stream.ref));
  }

  CompletableFuture<Ack> publish(String channel, JsonNode data, String idem) {
    int size = Frames.message(channel, data, idem, "r" + Long.MAX_VALUE).toString().getBytes(StandardCharsets.UTF_8).length;
    int max = hello == null ? Connected.DEFAULT_MAX_FRAME_BYTES : hello.maxFrameBytes();
    if (size > max) {
      return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.TOO_LARGE,
          "the message is " + size + " bytes; the server takes at most " + max));
    }
    Outbox.Entry entry = outbox.add(channel, data, idem);
    if (entry == null) {
      return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.QUEUE_FULL, "the outgoing queue is full ("
          + outbox.limit() + " messages wait for the server); retry when connected"));
    }
    pump();
    return entry.result;
  }

  /** Sends every queued message not sent on this connection, in order. */
  private void pump() {
    if (connection == null) {
      return;
    }
    for (Outbox.Entry entry : outbox.unsent()) {
      entry.ref = nextRef();
      pending.put(entry.ref, new Pending(entry, null, null));
      send(Frames.message(entry.channel, entry.data, entry.idem, entry.ref));
    }
  }

  boolean typing(String channel, boolean active) {
    long now = System.currentTimeMillis();
    Long last = typingSent.get(channel);
    if (connection == null || (active && last != null && now - last < ClientOptions.TYPING_REFRESH_MS)
        || (!active && last == null)) {
      return false;
    }
    if (active) {
      typingSent.put(channel, now);
    } else {
      typingSent.remove(channel);
    }
    send(Frames.typing(channel, active));
    return true;
  }

  /** Sends {@code frame} (with a fresh ref) and answers the reply frame with that ref. */
  CompletableFuture<JsonNode> request(Function<String, JsonNode> frame) {
    if (connection == null) {
      return notConnected();
    }
    String ref = nextRef();
    CompletableFuture<JsonNode> reply = awaitReply(ref);
    send(frame.apply(ref));
    return reply;
  }

  /** The frame that will answer {@code ref}, failing with {@code timeout} after the request timeout. */
  private CompletableFuture<JsonNode> awaitReply(String ref) {
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    ScheduledFuture<?> timer = loop.schedule(options.requestTimeout().toMillis(), () -> {
      if (pending.remove(ref) != null) {
        reply.completeExceptionally(new RealtimeException(RealtimeException.TIMEOUT, "no reply from the server in time"));
      }
    });
    pending.put(ref, new Pending(null, reply, timer));
    return reply;
  }

  /** A binary frame (header {@code ref} gets its ack). */
  CompletableFuture<JsonNode> sendBinary(String channel, byte[] payload, String contentType, String filename) {
    if (connection == null) {
      return notConnected();
    }
    String ref = nextRef();
    byte[] frame = BinaryFrames.build(options.mapper(), Frames.binaryHeader(channel, contentType, filename, ref), payload);
    if (frame.length > hello.maxFrameBytes()) {
      return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.TOO_LARGE, "the frame is "
          + frame.length + " bytes; the server takes at most " + hello.maxFrameBytes() + " (upload larger files)"));
    }
    CompletableFuture<JsonNode> ack = awaitReply(ref);
    connection.sendBinary(frame);
    return ack;
  }

  /** Sends a frame with no reply on success ({@code signal}, {@code read}); an error comes to onError with its ref. */
  CompletableFuture<Void> sendOneWay(Function<String, JsonNode> frame) {
    return connection == null ? notConnected() : connection.sendText(frame.apply(nextRef()).toString());
  }

  private void send(JsonNode frame) {
    if (connection != null) {
      connection.sendText(frame.toString());
    }
  }

  private static <T> CompletableFuture<T> notConnected() {
    return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.DISCONNECTED, "not connected"));
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /**
   * What belonged to the connection that ended: queued messages go back to be sent again, requests
   * waiting for a reply fail with {@code error}, and answers to its subscribes will not come.
   */
  private void forgetConnection(RealtimeException error) {
    outbox.requeue();
    List<Pending> requests = new ArrayList<>(pending.values());
    pending.clear();
    for (Pending request : requests) {
      Loop.cancel(request.timer());
      if (request.reply() != null) {
        request.reply().completeExceptionally(error);
      } // queued messages stay in the outbox (requeued) and go out again
    }
    streams.forgetConnection();
  }

  private String nextRef() {
    return "r" + (++refCounter);
  }

  private void setState(ConnectionState next, long delayMs, String reason, RealtimeException error) {
    state = next;
    StateChange change = new StateChange(next, attempt, delayMs, reason, error);
    emit(l -> l.onStateChange(change));
  }

  private void emitError(RealtimeException error) {
    listeners.error(error);
  }

  private void emit(Consumer<RealtimeListener> event) {
    listeners.emit(event);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }
}
