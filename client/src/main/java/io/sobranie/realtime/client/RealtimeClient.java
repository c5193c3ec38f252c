package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A user's realtime session (docs/protocol.md) over a WebSocket, with the guarantees of the
 * browser client (realtime-client.js): reconnects with backoff and jitter, resubscribes with
 * {@code since} + {@code epoch} so every channel message reaches the app exactly once and in
 * order, and queues what is published while disconnected, with an {@code idem} key per message.
 *
 * <pre>{@code
 * RealtimeClient client = RealtimeClient.builder(URI.create("https://rt.example.com"))
 *     .token(() -> myTokens.fresh())          // asked on every (re)connect
 *     .build();
 * client.subscribe("chat:lobby", m -> show(m.from(), m.data()));
 * client.connect().join();
 * client.publish("chat:lobby", Map.of("text", "hi")).thenAccept(ack -> log(ack.seq()));
 * }</pre>
 *
 * Listeners run on the client's own thread (see {@link RealtimeListener}); REST answers
 * ({@link #upload}, {@link #history}, …) complete on the HTTP client's threads. Thread-safe.
 */
public final class RealtimeClient implements AutoCloseable {
  private static final SecureRandom IDEMS = new SecureRandom();

  private final ClientOptions options;
  private final Loop loop = new Loop();
  private final List<RealtimeListener> listeners = new CopyOnWriteArrayList<>();
  private final Session session;
  private final Rest rest;

  private RealtimeClient(ClientOptions options, List<RealtimeListener> initial) {
    this.options = options;
    this.listeners.addAll(initial);
    this.session = new Session(options, loop, listeners);
    this.rest = new Rest(options.http(), options.baseUrl(), options.restToken(), options.mapper(), options.requestTimeout());
  }

  /** A builder for a client of the server at {@code serverUrl} (http or https; the WebSocket URL is derived). */
  public static Builder builder(URI serverUrl) {
    return new Builder(serverUrl);
  }

  // ---- the connection -------------------------------------------------------------------------

  /**
   * Connects (and keeps reconnecting until {@link #disconnect()}); completes when the session is
   * live, or fails when the client ends instead: the credential was refused
   * ({@link RealtimeException#UNAUTHORIZED}; once for a fixed token, twice in a row from a
   * supplier), or it was closed meanwhile.
   */
  public CompletableFuture<Connected> connect() {
    return loop.async(session::connect);
  }

  /** Closes the connection and stops reconnecting; queued messages wait for a later {@link #connect()}. */
  public void disconnect() {
    loop.execute(() -> session.disconnect("disconnect() called"));
  }

  /** Disconnects for good: queued messages fail with {@link RealtimeException#CLOSED}, the client's thread ends. */
  @Override
  public void close() {
    try {
      loop.call(() -> {
        session.close();
        return null;
      });
    } catch (RealtimeException alreadyClosed) {
      return;
    }
    loop.shutdown();
  }

  public ConnectionState state() {
    return session.state();
  }

  /** Adds a listener for connection-wide events; add it before {@link #connect()} to miss none. */
  public void addListener(RealtimeListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  public void removeListener(RealtimeListener listener) {
    listeners.remove(listener);
  }

  // ---- channels -------------------------------------------------------------------------------

  /**
   * Follows {@code channel}: {@code listener} gets its messages exactly once, in seq order, from
   * the server's position at subscribe time on, across reconnects. {@code broadcast} is followed
   * by every connection anyway (this only adds the listener); notifications come to
   * {@link RealtimeListener#onNotification}.
   */
  public Subscription subscribe(String channel, ChannelListener listener) {
    return subscribe(channel, null, listener);
  }

  /**
   * Like {@link #subscribe(String, ChannelListener)}, resuming after {@code from} (a
   * {@link Subscription#position()} the app kept): the server replays what came after it, or the
   * listener hears {@link ChannelListener#onNotRecovered} when that is no longer possible.
   */
  public Subscription subscribe(String channel, Position from, ChannelListener listener) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(listener, "listener");
    if (Frames.NOTIFICATIONS.equals(channel)) {
      throw new IllegalArgumentException("notifications come to RealtimeListener.onNotification; no subscribe needed");
    }
    Stream stream = loop.call(() -> session.subscribe(channel, from, listener));
    return new Subscription(this, stream, listener);
  }

  void unsubscribe(Stream stream, ChannelListener listener) {
    loop.execute(() -> session.unsubscribe(stream, listener));
  }

  /**
   * Publishes {@code data} (anything the client's {@code ObjectMapper} writes: a map, a record, a
   * {@code JsonNode}, a string …) on {@code channel}; completes with the server's ack once the
   * message is stored. While disconnected it waits in the outbound queue (at most
   * {@link Builder#queueLimit}, else {@link RealtimeException#QUEUE_FULL}) and goes out after
   * reconnecting. A refusal ({@code forbidden}, {@code rate_limited}, …) fails the future and is
   * not retried.
   */
  public CompletableFuture<Ack> publish(String channel, Object data) {
    return publish(channel, data, newIdem());
  }

  /**
   * Like {@link #publish(String, Object)} with the app's own idempotency key (at most 64
   * characters): the same user, channel and key within 10 minutes are stored once, so an app that
   * retries after a crash of its own can reuse the key it persisted.
   */
  public CompletableFuture<Ack> publish(String channel, Object data, String idem) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(idem, "idem");
    JsonNode json = options.mapper().valueToTree(data);
    if (json == null || json.isNull() || json.isMissingNode()) {
      return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.BAD_REQUEST, "data is required"));
    }
    return loop.async(() -> session.publish(channel, json, idem));
  }

  /** How many published messages wait for their ack. */
  public int queued() {
    return loop.call(session::queued);
  }

  // ---- typing, presence, signals, notifications -----------------------------------------------

  /**
   * Says whether the user is typing on {@code channel}. {@code true} is sent again at most every
   * 2.5 s, {@code false} only after a {@code true}; answers whether a frame went out (never queued).
   */
  public CompletableFuture<Boolean> typing(String channel, boolean active) {
    return loop.async(() -> CompletableFuture.completedFuture(session.typing(channel, active)));
  }

  /** Who is subscribed to {@code channel} now (needs the right to subscribe to it). */
  public CompletableFuture<PresenceState> presence(String channel) {
    return loop.async(() -> session.request(ref -> Frames.presenceOfChannel(channel, ref))).thenApply(PresenceState::of);
  }

  /** Whether these users (at most 100) are online, and when they were last seen. */
  public CompletableFuture<PresenceState> presenceOf(Collection<String> users) {
    List<String> copy = List.copyOf(users);
    return loop.async(() -> session.request(ref -> Frames.presenceOfUsers(copy, ref))).thenApply(PresenceState::of);
  }

  /**
   * Relays a WebRTC signal ({@code offer}, {@code answer}, {@code ice}, {@code hangup}) to every
   * connection of user {@code to}. Completes once sent: the server answers only failures, e.g.
   * {@code not_found} when {@code to} is offline, which come to {@link RealtimeListener#onError}.
   */
  public CompletableFuture<Void> signal(String to, String signal, Object payload) {
    JsonNode json = payload == null ? null : options.mapper().valueToTree(payload);
    return loop.async(() -> session.sendOneWay(ref -> Frames.signal(to, signal, json, ref)));
  }

  /**
   * Marks the notifications up to seq {@code upTo} read. Completes once sent; the new count comes
   * to {@link RealtimeListener#onUnreadCount} (on every connection of the user).
   */
  public CompletableFuture<Void> markRead(long upTo) {
    return loop.async(() -> session.sendOneWay(ref -> Frames.read(upTo, ref)));
  }

  /** The user's notifications, newest first, before seq {@code before} (null: the newest), with the unread count. */
  public CompletableFuture<NotificationPage> notifications(Long before, int limit) {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("before", before);
    query.put("limit", limit);
    return rest.get("/realtime/notifications" + query(query)).thenApply(NotificationPage::of);
  }

  /** A channel's history over REST, oldest first: after seq {@code since}, or the last {@code limit} when null. */
  public CompletableFuture<HistoryPage> history(String channel, Long since, int limit) {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("since", since);
    query.put("limit", limit);
    return rest.get("/realtime/history/" + encode(channel) + query(query)).thenApply(HistoryPage::of);
  }

  // ---- binary -----------------------------------------------------------------------------------

  /**
   * Sends a binary frame on {@code channel} (publish rules apply; live only: not stored, not
   * replayed, never queued); completes with its ack ({@code seq} 0). The whole frame must fit the
   * server's frame limit: {@link #upload} larger files.
   */
  public CompletableFuture<Ack> sendBinary(String channel, byte[] payload, String contentType, String filename) {
    byte[] copy = payload.clone();
    return loop.async(() -> session.sendBinary(channel, copy, contentType, filename)).thenApply(Ack::of);
  }

  /** Uploads a file ({@code POST /realtime/binary}, 10 MiB by default); share the answer in a message's {@code data.file}. */
  public CompletableFuture<FileRef> upload(byte[] content, String contentType, String filename) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType == null ? "application/octet-stream" : contentType);
    if (filename != null) {
      headers.put("X-Filename", filename);
    }
    return rest.postBytes("/realtime/binary", content, headers).thenApply(FileRef::of);
  }

  /** The bytes of an uploaded file. */
  public CompletableFuture<byte[]> download(String fileId) {
    return rest.bytes("/realtime/binary/" + encode(fileId));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static String newIdem() {
    byte[] bytes = new byte[16];
    IDEMS.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String query(Map<String, Object> params) {
    StringBuilder out = new StringBuilder();
    params.forEach((name, value) -> {
      if (value != null) {
        out.append(out.length() == 0 ? '?' : '&').append(name).append('=').append(encode(value.toString()));
      }
    });
    return out.toString();
  }

  /** Settings of a {@link RealtimeClient}; only a credential is required. */
  public static final class Builder {
    private final String baseUrl;
    private TokenSupplier token;
    private boolean fixedToken;
    private TokenSupplier tickets;
    private Backoff backoff = Backoff.DEFAULT;
    private int queueLimit = 100;
    private Duration openTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private ObjectMapper mapper;
    private HttpClient http;
    private final List<RealtimeListener> listeners = new CopyOnWriteArrayList<>();

    private Builder(URI serverUrl) {
      String url = serverUrl.toString().replaceAll("/+$", "");
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException("the server URL must be http:// or https://, got " + serverUrl);
      }
      this.baseUrl = url;
    }

    /** A fixed token (JWT): a refusal ends the client. Prefer a supplier for tokens that expire. */
    public Builder token(String token) {
      this.token = TokenSupplier.fixed(Objects.requireNonNull(token, "token"));
      this.fixedToken = true;
      return this;
    }

    /** Asked for a token (JWT) on every connection attempt and REST call (sent as {@code Authorization: Bearer}). */
    public Builder token(TokenSupplier supplier) {
      this.token = Objects.requireNonNull(supplier, "supplier");
      this.fixedToken = false;
      return this;
    }

    /**
     * Asked for a one-time ticket on every connection attempt (sent as {@code ?ticket=}), e.g. one
     * your backend got from {@code POST /realtime/ticket}, so the app never holds a JWT. REST calls
     * ({@code upload}, {@code history}, …) still need {@link #token}.
     */
    public Builder tickets(TokenSupplier supplier) {
      this.tickets = Objects.requireNonNull(supplier, "supplier");
      return this;
    }

    /** Reconnect delays (default {@link Backoff#DEFAULT}). */
    public Builder reconnect(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff);
      return this;
    }

    /** Most messages waiting for their ack (queued while disconnected, or sent and not yet acked); default 100. */
    public Builder queueLimit(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("queueLimit must be at least 1");
      }
      this.queueLimit = limit;
      return this;
    }

    /** How long a connection attempt may take until the server's {@code connected} (default 10 s). */
    public Builder openTimeout(Duration timeout) {
      this.openTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** How long a request waits for its reply: presence, binary acks, REST (default 10 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** The mapper for {@code data} and payloads (default: a plain {@code ObjectMapper}). */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper);
      return this;
    }

    /** The HTTP client for WebSockets and REST (default: one of its own, HTTP/1.1). */
    public Builder httpClient(HttpClient http) {
      this.http = Objects.requireNonNull(http);
      return this;
    }

    /** A listener registered before anything happens. */
    public Builder listener(RealtimeListener listener) {
      listeners.add(Objects.requireNonNull(listener));
      return this;
    }

    public RealtimeClient build() {
      if (token == null && tickets == null) {
        throw new IllegalStateException("a RealtimeClient needs token(...) or tickets(...)");
      }
      HttpClient client = http != null ? http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(openTimeout).build();
      ClientOptions options = new ClientOptions(baseUrl, tickets != null ? tickets : token, tickets != null,
          tickets == null && fixedToken, token, backoff, queueLimit, openTimeout, requestTimeout,
          mapper != null ? mapper : new ObjectMapper(), client, () -> ThreadLocalRandom.current().nextDouble());
      return new RealtimeClient(options, listeners);
    }
  }
}
