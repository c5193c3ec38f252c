package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.FrameType;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.HistoryPage;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client WebSocket (PROTOCOL.md section 3): parses each text frame, validates it, dispatches
 * it to the method for its type, and answers with the right frame or an {@code error} carrying the
 * request's {@code ref}. Everything the connection owns (subscriptions, its place in the shard)
 * is released by {@link #cleanup}, whatever ends the connection. Lives on its shard's event loop.
 */
final class WebSocketConnection {
  private static final Logger LOG = Logger.getLogger(WebSocketConnection.class.getName());
  static final int MAX_SUBSCRIPTIONS = 200;
  /** The most messages a replay sends; a larger hole is reported as {@code recovered:false}. */
  private static final int MAX_REPLAY = 10_000;
  static final short CLOSE_GOING_AWAY = 1001;
  static final short CLOSE_POLICY = 1008;
  static final short CLOSE_TOO_BIG = 1009;

  private final String id = Ids.unique("c-");
  private final ServerWebSocket socket;
  private final Principal principal;
  private final Shard shard;
  private final GatewayContext gateway;
  private final ChatClient chat;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private Subscription broadcast;
  /** Message requests of this connection, chained so their seqs and acks keep the client's order. */
  private Future<?> sending = Future.succeededFuture();
  private long lastReceived;
  private long lastPing;
  private boolean closed;

  WebSocketConnection(ServerWebSocket socket, Principal principal, Shard shard, GatewayContext gateway, ChatClient chat) {
    this.socket = socket;
    this.principal = principal;
    this.shard = shard;
    this.gateway = gateway;
    this.chat = chat;
  }

  Principal principal() {
    return principal;
  }

  String id() {
    return id;
  }

  /** Installs the handlers, says {@code connected} and joins the implicit {@code broadcast} channel. */
  void open() {
    lastReceived = lastPing = System.currentTimeMillis();
    socket.frameHandler(frame -> lastReceived = System.currentTimeMillis());
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(bytes -> sendError(null,
        new RealtimeException(ErrorCode.BAD_REQUEST, "binary frames are not supported by this server version yet")));
    socket.exceptionHandler(this::onException);
    socket.closeHandler(v -> cleanup());
    shard.add(this);
    RealtimeConfig config = gateway.config();
    sendJson(Frames.typed(FrameType.CONNECTED)
        .put("connectionId", id)
        .put("userId", principal.userId())
        .put("node", config.nodeId())
        .put("heartbeatMs", config.heartbeatMs())
        .put("limits", new JsonObject()
            .put("maxFrameBytes", config.maxFrameBytes())
            .put("messagesPerMinute", config.messagesPerMinute())));
    broadcast = new Subscription(Channel.BROADCAST, this, position -> broadcast.goLive(position));
    shard.subscribe(broadcast);
  }

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
      switch (type) {
        case FrameType.SUBSCRIBE -> onSubscribe(frame, ref);
        case FrameType.UNSUBSCRIBE -> onUnsubscribe(frame, ref);
        case FrameType.MESSAGE -> onMessage(frame, ref);
        case FrameType.PING -> sendJson(withRef(Frames.typed(FrameType.PONG).put("ts", System.currentTimeMillis()), ref));
        case FrameType.TYPING, FrameType.PRESENCE, FrameType.READ, FrameType.SIGNAL ->
            throw new RealtimeException(ErrorCode.UNKNOWN_TYPE, "'" + type + "' is not supported by this server version yet");
        default -> throw new RealtimeException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + type + "'");
      }
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
    if (channel.name().equals(Channel.NOTIFICATIONS)) {
      throw new RealtimeException(ErrorCode.UNAVAILABLE, "the notifications stream is not served by this server version yet");
    }
    Subscription existing = channel.name().equals(Channel.BROADCAST) ? broadcast : subscriptions.get(channel.name());
    if (existing != null) {
      // Idempotent: answered with where this connection stands, without a second replay.
      existing.whenLive(() -> sendJson(withRef(Frames.subscribed(channel.name(),
          new StreamPosition(existing.lastSent(), existing.epoch()), false), ref)));
      return;
    }
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      throw RealtimeException.badRequest("too many subscriptions (at most " + MAX_SUBSCRIPTIONS + " per connection)");
    }
    Subscription[] created = new Subscription[1];
    created[0] = new Subscription(channel.name(), this, position -> recover(created[0], since, epoch, position, ref));
    subscriptions.put(channel.name(), created[0]);
    shard.subscribe(created[0]);
  }

  /** The seam: {@code subscribed}, then the stored messages after {@code since}, then live ones. */
  private void recover(Subscription subscription, Long since, String clientEpoch, StreamPosition position, String ref) {
    String channel = subscription.channel();
    boolean sameEpoch = clientEpoch == null || clientEpoch.equals(position.epoch());
    if (since == null || !sameEpoch || since > position.seq() || position.seq() - since > MAX_REPLAY) {
      subscribeDone(subscription, position, since != null && sameEpoch && since <= position.seq(), List.of(), ref);
      return;
    }
    if (since == position.seq()) {
      subscribeDone(subscription, position, true, List.of(), ref);
      return;
    }
    onThisLoop(gateway.store().history().after(channel, since, (int) (position.seq() - since)))
        .onSuccess(page -> {
          boolean complete = page.complete() && page.position().epoch().equals(position.epoch());
          subscribeDone(subscription, position, complete, complete ? upTo(page, position.seq()) : List.of(), ref);
        })
        .onFailure(failure -> {
          LOG.log(Level.WARNING, "history read failed user=" + principal.userId() + " channel=" + channel, failure);
          if (subscriptions.remove(channel, subscription)) {
            subscription.cancel();
            shard.unsubscribe(subscription);
          }
          sendError(ref, new RealtimeException(ErrorCode.UNAVAILABLE, "history unavailable, subscribe again"));
        });
  }

  private static List<StoredMessage> upTo(HistoryPage page, long seq) {
    List<StoredMessage> result = new ArrayList<>(page.messages().size());
    for (StoredMessage m : page.messages()) {
      if (m.seq() <= seq) {
        result.add(m);
      }
    }
    return result;
  }

  private void subscribeDone(Subscription subscription, StreamPosition position, boolean recovered,
                             List<StoredMessage> replay, String ref) {
    if (closed || subscriptions.get(subscription.channel()) != subscription) {
      return; // unsubscribed or closed meanwhile
    }
    sendJson(withRef(Frames.subscribed(subscription.channel(), position, recovered), ref));
    for (StoredMessage message : replay) {
      send(Buffer.buffer(Frames.message(subscription.channel(), message)));
    }
    subscription.goLive(position);
  }

  private void onUnsubscribe(JsonObject frame, String ref) {
    Channel channel = Channel.parse(JsonFields.requireString(frame, "channel"));
    if (channel.name().equals(Channel.BROADCAST)) {
      throw RealtimeException.badRequest("broadcast is implicit on every connection and cannot be left");
    }
    Subscription subscription = subscriptions.remove(channel.name());
    if (subscription == null) {
      throw new RealtimeException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + channel.name());
    }
    subscription.cancel();
    shard.unsubscribe(subscription);
    sendJson(withRef(Frames.typed(FrameType.UNSUBSCRIBED).put("channel", channel.name()), ref));
  }

  private void onMessage(JsonObject frame, String ref) {
    ChatMessage message = ChatMessage.fromClient(principal, frame);
    Future<Ack> sent = sending.transform(previous -> chat.send(message));
    sending = sent;
    onThisLoop(sent)
        .onSuccess(ack -> sendJson(withRef(Frames.ack(ack), ref)))
        .onFailure(failure -> sendError(ref, RealtimeException.from(failure)));
  }

  private void onException(Throwable failure) {
    if (failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).startsWith("Cannot process")) {
      close(CLOSE_TOO_BIG, "message too big"); // a fragmented message over MAX_FRAME_BYTES
      return;
    }
    LOG.log(Level.FINE, "websocket error user=" + principal.userId() + " connection=" + id, failure);
  }

  // ---- outbound -----------------------------------------------------------------------------

  /** Writes one encoded text frame (bytes shared with other connections; the frame object is not). */
  void send(Buffer frame) {
    if (!closed) {
      socket.writeFrame(WebSocketFrames.text(frame));
    }
  }

  private void sendJson(JsonObject frame) {
    send(frame.toBuffer());
  }

  private void sendError(String ref, RealtimeException e) {
    sendJson(withRef(Frames.error(e), ref));
  }

  private static JsonObject withRef(JsonObject frame, String ref) {
    return ref == null ? frame : frame.put("ref", ref);
  }

  /** Pings, and closes a connection that has sent nothing for two heartbeats. */
  void heartbeat(long now) {
    long heartbeatMs = gateway.config().heartbeatMs();
    if (now - lastReceived >= 2 * heartbeatMs) {
      close(CLOSE_GOING_AWAY, "idle");
    } else if (now - lastPing >= heartbeatMs) {
      lastPing = now;
      socket.writePing(Buffer.buffer());
    }
  }

  void close(short code, String reason) {
    if (!closed) {
      socket.close(code, reason);
      cleanup();
    }
  }

  /** The one cleanup path: releases every subscription and leaves the shard. Idempotent. */
  private void cleanup() {
    if (closed) {
      return;
    }
    closed = true;
    shard.remove(this);
    List<Subscription> all = new ArrayList<>(subscriptions.values());
    all.add(broadcast);
    all.forEach(Subscription::cancel);
    subscriptions.clear();
    shard.unsubscribeAll(all);
  }

  /** Completes on this connection's event loop, whatever thread completes {@code future}. */
  private <T> Future<T> onThisLoop(Future<T> future) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    future.onComplete(result -> shard.context().runOnContext(v -> promise.handle(result)));
    return promise.future();
  }
}
