package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.FrameType;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client WebSocket (PROTOCOL.md section 3): parses each text frame, validates it, dispatches
 * it to the method for its type, and answers with the right frame or an {@code error} carrying
 * the request's {@code ref}. Lives on its shard's event loop.
 */
final class WebSocketConnection extends ClientSession {
  private static final Logger LOG = Logger.getLogger(WebSocketConnection.class.getName());
  static final int MAX_SUBSCRIPTIONS = 200;
  private static final java.util.Set<String> KNOWN_TYPES = java.util.Set.of(FrameType.SUBSCRIBE, FrameType.UNSUBSCRIBE,
      FrameType.MESSAGE, FrameType.READ, FrameType.TYPING, FrameType.SIGNAL, FrameType.PRESENCE, FrameType.PING);
  static final short CLOSE_GOING_AWAY = 1001;
  static final short CLOSE_POLICY = 1008;
  static final short CLOSE_TOO_BIG = 1009;
  static final short CLOSE_TRY_AGAIN_LATER = 1013;
  static final short CLOSE_DISCONNECTED = 4000;

  /** A batch never grows past this (clients such as Vert.x's accept 64 KiB frames by default). */
  static final int MAX_BATCH_BYTES = 16 * 1024;

  private final ServerWebSocket socket;
  private final boolean signalingOnly;
  private final ClientActions actions;
  /**
   * Text written this event-loop turn and not yet sent: one encoded object (shared, not copied),
   * or several joined by '\n' in a buffer of our own (PROTOCOL.md: clients split on newlines).
   */
  private Buffer unsent;
  private boolean unsentIsBatch;
  /** Message requests of this connection, chained so their seqs and acks keep the client's order. */
  private Future<?> sending = Future.succeededFuture();
  private long lastReceived;
  private long lastPing;

  /**
   * @param signalingOnly the seeds' signaling socket ({@code /realtime/webrtc/signaling}, PROTOCOL.md
   *                      section 3): {@code signal} and {@code ping} only, no streams or counts
   */
  WebSocketConnection(ServerWebSocket socket, Principal principal, Shard shard, GatewayContext gateway, boolean signalingOnly) {
    super(principal, shard, gateway);
    this.socket = socket;
    this.signalingOnly = signalingOnly;
    this.actions = new ClientActions(gateway, GatewayMetrics.MessagePath.WEBSOCKET);
  }

  @Override
  String transport() {
    return "websocket";
  }

  /**
   * Says {@code connected}, then the unread count, then the offline queue; client frames wait
   * (the socket is paused) until the implicit streams are set up.
   */
  void open() {
    lastReceived = lastPing = System.currentTimeMillis();
    socket.pause();
    socket.frameHandler(frame -> lastReceived = System.currentTimeMillis());
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(this::onBinary);
    socket.exceptionHandler(this::onException);
    socket.closeHandler(v -> {
      cleanup();
      finished.tryComplete();
    });
    register(true);
    RealtimeConfig config = gateway.config();
    sendJson(Frames.typed(FrameType.CONNECTED)
        .put("connectionId", id)
        .put("userId", principal.userId())
        .put("node", config.nodeId())
        .put("heartbeatMs", config.heartbeatMs())
        .put("limits", new JsonObject()
            .put("maxFrameBytes", config.maxFrameBytes())
            .put("messagesPerMinute", config.messagesPerMinute())));
    if (signalingOnly) {
      socket.resume();
      return;
    }
    unreadAndWatermark().onComplete(read -> {
      if (closed) {
        return;
      }
      broadcast = follow(Channel.BROADCAST, null, null, SILENT);
      if (read.failed()) {
        LOG.log(Level.WARNING, "notification state unavailable user=" + principal.userId(), read.cause());
        sendError(null, new RealtimeException(ErrorCode.UNAVAILABLE, "notifications unavailable; reconnect later to get them"));
        notifications = follow(Streams.notificationsKey(principal.userId()), null, null, SILENT);
      } else {
        // unread_count goes out when the stream has its position, right before the offline queue.
        notifications = follow(Streams.notificationsKey(principal.userId()), read.result()[1], null, new StartListener() {
          @Override
          public void started(StreamPosition position, boolean recovered) {
            send(Buffer.buffer(Frames.unreadCount(read.result()[0])));
          }

          @Override
          public void failed(RealtimeException error) {
            sendError(null, error);
          }
        });
      }
      socket.resume();
    });
  }

  private static final StartListener SILENT = new StartListener() {
    @Override
    public void started(StreamPosition position, boolean recovered) {
    }

    @Override
    public void failed(RealtimeException error) {
    }
  };

  // ---- inbound ------------------------------------------------------------------------------

  private void onText(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      sendError(null, RealtimeException.badRequest("frame is not a JSON object"));
      return;
    }
    String ref = JsonFields.optionalString(frame, "ref");
    try {
      String type = JsonFields.requireString(frame, "type");
      gateway.metrics().frameIn(KNOWN_TYPES.contains(type) ? type : "unknown"); // client text must not mint meters
      if (signalingOnly && !type.equals(FrameType.SIGNAL) && !type.equals(FrameType.PING)) {
        throw RealtimeException.badRequest("this socket carries signal and ping only; use /realtime/ws for '" + type + "'");
      }
      switch (type) {
        case FrameType.SUBSCRIBE -> onSubscribe(frame, ref);
        case FrameType.UNSUBSCRIBE -> onUnsubscribe(frame, ref);
        case FrameType.MESSAGE -> onMessage(frame, ref);
        case FrameType.READ -> onRead(frame, ref);
        case FrameType.TYPING -> replyOnlyOnError(actions.typing(principal, frame), ref);
        case FrameType.SIGNAL -> replyOnlyOnError(actions.signal(principal, frame), ref);
        case FrameType.PRESENCE -> reply(actions.presence(principal, frame)
            .map(state -> state.put("type", FrameType.PRESENCE_STATE)), ref);
        case FrameType.PING -> sendJson(withRef(Frames.typed(FrameType.PONG).put("ts", System.currentTimeMillis()), ref));
        default -> throw new RealtimeException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + type + "'");
      }
    } catch (ClientActions.Flooding e) {
      sendError(ref, e);
      close(CLOSE_POLICY, "rate limit exceeded");
    } catch (RealtimeException e) {
      sendError(ref, e);
    } catch (RuntimeException bug) {
      LOG.log(Level.SEVERE, "frame handling failed user=" + principal.userId() + " connection=" + id, bug);
      sendError(ref, new RealtimeException(ErrorCode.INTERNAL, "internal error"));
    }
  }

  private void onSubscribe(JsonObject frame, String ref) {
    Channel channel = Channel.parse(JsonFields.requireString(frame, "channel"));
    Long since = JsonFields.optionalNonNegativeLong(frame, "since");
    String epoch = JsonFields.optionalStrictString(frame, "epoch");
    gateway.config().channelRules().checkSubscribe(principal, channel);
    actions.charge(principal, gateway.limits().subscribes, "subscribes");
    StartListener answer = subscribedAnswer(channel.name(), ref, since != null);
    Subscription existing = switch (channel.name()) {
      case Channel.NOTIFICATIONS -> notifications;
      case Channel.BROADCAST -> broadcast;
      default -> channels.get(channel.name());
    };
    if (existing != null) {
      refollow(existing, since, epoch, answer); // idempotent; replays only what is asked again
      return;
    }
    if (channels.size() >= MAX_SUBSCRIPTIONS) {
      throw RealtimeException.badRequest("too many subscriptions (at most " + MAX_SUBSCRIPTIONS + " per connection)");
    }
    Subscription subscription = follow(channel.name(), since, epoch, answer);
    channels.put(channel.name(), subscription);
    joinRoom(channel.name());
  }

  /** @param resumed the client asked for the events after {@code since}: the outcome is counted */
  private StartListener subscribedAnswer(String channel, String ref, boolean resumed) {
    return new StartListener() {
      @Override
      public void started(StreamPosition position, boolean recovered) {
        if (resumed) {
          gateway.metrics().resumed(transport(), recovered);
        }
        sendJson(withRef(Frames.subscribed(channel, position, recovered), ref));
      }

      @Override
      public void failed(RealtimeException error) {
        Subscription failed = channels.get(channel);
        if (failed != null && failed.cancelled()) {
          channels.remove(channel);
        }
        sendError(ref, error);
      }
    };
  }

  private void onUnsubscribe(JsonObject frame, String ref) {
    Channel channel = Channel.parse(JsonFields.requireString(frame, "channel"));
    if (channel.name().equals(Channel.BROADCAST) || channel.name().equals(Channel.NOTIFICATIONS)) {
      throw RealtimeException.badRequest(channel.name() + " is implicit on every connection and cannot be left");
    }
    Subscription subscription = channels.get(channel.name());
    if (subscription == null) {
      throw new RealtimeException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + channel.name());
    }
    actions.charge(principal, gateway.limits().subscribes, "subscribes");
    channels.remove(channel.name());
    leaveRoom(channel.name());
    // A subscribe still starting gets its `subscribed` (and any replay it asked for) first.
    subscription.whenLive(() -> {
      unfollow(subscription);
      sendJson(withRef(Frames.typed(FrameType.UNSUBSCRIBED).put("channel", channel.name()), ref));
    });
  }

  /**
   * Validated and charged at once (a flood closes the socket now; an idem repeat over the budget is
   * looked up instead, in turn); sent after this connection's earlier messages.
   */
  private void onMessage(JsonObject frame, String ref) {
    ChatMessage message = ChatMessage.fromClient(principal, frame);
    RateLimiter.Verdict verdict = actions.take(principal, gateway.limits().messages);
    if (!verdict.allowed() && message.idem() == null) {
      throw ClientActions.refusal(verdict, "messages");
    }
    Future<JsonObject> sent = sending.transform(previous -> actions.send(principal, message, verdict));
    sending = sent;
    reply(sent, ref);
  }

  /**
   * {@code read {upTo}}: answered here with {@code unread_count} and the request's ref; the
   * notification service pushes the count to the user's other connections.
   */
  private void onRead(JsonObject frame, String ref) {
    Long upTo = JsonFields.optionalNonNegativeLong(frame, "upTo");
    if (upTo == null) {
      throw RealtimeException.badRequest("'upTo' (a notification seq) is required");
    }
    reply(gateway.bus().request(Addresses.NOTIFY_READ, new JsonObject().put("userId", principal.userId()).put("upTo", upTo)
            .put("connectionId", id))
        .map(answer -> new JsonObject(Frames.unreadCount(answer.getLong("unread")))), ref);
  }

  /**
   * A binary frame: validated, publish right checked, relayed live to the channel's subscribers
   * with {@code from}, {@code id} and {@code ts} added to its header, acked to the sender.
   */
  private void onBinary(Buffer frame) {
    String ref = null;
    try {
      if (signalingOnly) {
        throw RealtimeException.badRequest("this socket carries signal and ping only; use /realtime/ws for binary frames");
      }
      BinaryFrames.Parsed parsed = BinaryFrames.parse(frame);
      ref = JsonFields.optionalString(parsed.header(), "ref");
      gateway.config().channelRules().checkPublish(principal, Channel.parse(parsed.channel()));
      actions.charge(principal, gateway.limits().messages, "messages");
      gateway.metrics().frameIn("binary");
      String messageId = Ids.unique("b-");
      long ts = System.currentTimeMillis();
      JsonObject header = parsed.header().copy().put("from", principal.publisherName()).put("id", messageId).put("ts", ts);
      header.remove("ref");
      Buffer relayed = BinaryFrames.build(header, parsed.payload());
      shard.context().owner().eventBus().publish(Addresses.DELIVER, Envelope.binary(parsed.channel(), messageId,
          principal.publisherName(), ts, Base64.getEncoder().encodeToString(relayed.getBytes())));
      gateway.metrics().messageAccepted(GatewayMetrics.MessagePath.WEBSOCKET_BINARY);
      sendJson(withRef(Frames.typed(FrameType.ACK).put("channel", parsed.channel()).put("id", messageId).put("ts", ts), ref));
    } catch (ClientActions.Flooding e) {
      sendError(ref, e);
      close(CLOSE_POLICY, "rate limit exceeded");
    } catch (RealtimeException e) {
      sendError(ref, e);
    }
  }

  /** Nothing to say on success ({@code typing}, {@code signal}); an error frame with the ref on failure. */
  private void replyOnlyOnError(Future<Void> result, String ref) {
    // (budgets are charged synchronously: a Flooding is thrown to onText, not failed here)
    onThisLoop(result).onFailure(failure -> sendError(ref, RealtimeException.from(failure)));
  }

  /** Sends the reply frame a request future produces, or its error, with the ref (a flood found late closes 1008). */
  private void reply(Future<JsonObject> result, String ref) {
    onThisLoop(result)
        .onSuccess(frame -> sendJson(withRef(frame, ref)))
        .onFailure(failure -> {
          sendError(ref, RealtimeException.from(failure));
          if (failure instanceof ClientActions.Flooding) {
            close(CLOSE_POLICY, "rate limit exceeded");
          }
        });
  }

  private void onException(Throwable failure) {
    if (failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).startsWith("Cannot process")) {
      close(CLOSE_TOO_BIG, "message too big"); // a message over MAX_FRAME_BYTES
      return;
    }
    LOG.log(Level.FINE, "websocket error user=" + principal.userId() + " connection=" + id, failure);
  }

  // ---- outbound -----------------------------------------------------------------------------

  @Override
  protected void write(Subscription subscription, Delivery delivery) {
    if (delivery.kind() == Envelope.Kind.BINARY) {
      if (!closed && !socket.isClosed()) {
        flush(); // text written before it goes first
        counted(socket.writeFrame(WebSocketFrames.binary(delivery.json())), delivery.json().length());
      }
    } else {
      send(delivery.json());
    }
  }

  @Override
  void onUserEvent(Delivery delivery) {
    switch (delivery.kind()) {
      case SIGNAL -> send(delivery.json());
      case UNREAD_COUNT -> {
        if (!signalingOnly) {
          send(delivery.json());
        }
      }
      case DISCONNECT -> close(CLOSE_DISCONNECTED, Json.decodeValue(delivery.json()).toString());
      default -> LOG.warning("unexpected user event " + delivery.kind());
    }
  }

  /**
   * Queues one encoded object for this turn's frame (adaptive batching, DESIGN.md): under load
   * several objects share a frame and a flush; alone, an object goes out at the end of the turn.
   */
  private void send(Buffer json) {
    if (closed || socket.isClosed()) {
      return;
    }
    if (unsent == null) {
      unsent = json;
      unsentIsBatch = false;
      shard.flushAtEndOfTurn(this);
      return;
    }
    if (unsent.length() + 1 + json.length() > MAX_BATCH_BYTES) {
      flush();
      send(json);
      return;
    }
    if (!unsentIsBatch) {
      unsent = Buffer.buffer(Math.min(MAX_BATCH_BYTES, 4 * (unsent.length() + json.length()))).appendBuffer(unsent);
      unsentIsBatch = true;
    }
    unsent.appendByte((byte) '\n').appendBuffer(json);
  }

  /** Writes the batch as one text frame (the bytes may be shared with other connections; the frame object is not). */
  @Override
  void flush() {
    Buffer frame = unsent;
    if (frame == null) {
      return;
    }
    unsent = null;
    if (!socket.isClosed()) {
      counted(socket.writeFrame(WebSocketFrames.text(frame)), frame.length());
      noticeBacklog();
    }
  }

  private void sendJson(JsonObject frame) {
    send(frame.toBuffer());
    wrote();
  }

  @Override
  protected boolean transportClosed() {
    return socket.isClosed();
  }

  @Override
  protected long transportBacklog() {
    return unwritten + (unsent == null ? 0 : unsent.length());
  }

  @Override
  protected void closeExpired() {
    close(CLOSE_POLICY, "token_expired");
  }

  @Override
  protected void closeSlow(String reason) {
    LOG.info("slow consumer closed user=" + principal.userId() + " connection=" + id + " reason=" + reason);
    close(CLOSE_TRY_AGAIN_LATER, reason);
  }

  private void sendError(String ref, RealtimeException e) {
    gateway.metrics().errorSent(e.code());
    sendJson(withRef(Frames.error(e), ref));
  }

  private static JsonObject withRef(JsonObject frame, String ref) {
    return ref == null ? frame : frame.put("ref", ref);
  }

  /** Pings, and closes a connection that has sent nothing for two heartbeats. */
  @Override
  void heartbeat(long now) {
    if (closedIfSlow(now) || closedIfExpired(now)) {
      return;
    }
    long heartbeatMs = gateway.config().heartbeatMs();
    if (now - lastReceived >= 2 * heartbeatMs) {
      close(CLOSE_GOING_AWAY, "idle");
    } else if (now - lastPing >= heartbeatMs) {
      lastPing = now;
      socket.writePing(Buffer.buffer());
    }
  }

  @Override
  Future<Void> goAway(long afterMs) {
    sendJson(Frames.typed(FrameType.RECONNECT).put("afterMs", afterMs));
    close(CLOSE_GOING_AWAY, "server shutting down");
    return finished.future();
  }

  void close(short code, String reason) {
    if (!closed) {
      flush(); // an error or reconnect frame written just before must reach the client
      socket.close(code, reason).onComplete(done -> finished.tryComplete());
      cleanup();
    }
  }
}
