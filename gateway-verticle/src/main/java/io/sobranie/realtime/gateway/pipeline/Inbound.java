package io.sobranie.realtime.gateway.pipeline;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.FrameType;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.BinaryFrames;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.bus.ChatRequests;
import io.sobranie.realtime.common.bus.NotificationRequests;
import io.sobranie.realtime.common.bus.PresenceRequests;
import io.sobranie.realtime.common.bus.ServiceRequests;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.channel.ChannelRules;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.GatewayMetrics.MessagePath;
import io.sobranie.realtime.gateway.limits.RateLimiter;
import io.sobranie.realtime.gateway.protocol.Frames;
import io.sobranie.realtime.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one way in for every client and service action, whatever carries it (a WebSocket frame, a
 * REST call, the signaling socket, an SSE or poll query): parse, take the principal the transport
 * authenticated, authorize against {@link ChannelRules}, charge the rate limits and throttles,
 * then hand the request to the verticle that owns it over the bus. The owning verticles check
 * again what a sender on the bus could get wrong (see each one's doc); nothing else in the
 * gateway authorizes.
 */
public final class Inbound {
  private static final Logger LOG = Logger.getLogger(Inbound.class.getName());
  /** The frame types a client may send; others are counted as {@code unknown} (client text must not mint meters). */
  private static final Set<String> KNOWN_TYPES = Set.of(FrameType.SUBSCRIBE, FrameType.UNSUBSCRIBE, FrameType.MESSAGE,
      FrameType.READ, FrameType.TYPING, FrameType.SIGNAL, FrameType.PRESENCE, FrameType.PING);
  /** The most channels an SSE stream or a poll may follow besides the implicit ones. */
  public static final int MAX_STREAM_CHANNELS = 50;

  private final GatewayContext gateway;
  private final ChannelRules rules;

  public Inbound(GatewayContext gateway) {
    this.gateway = gateway;
    this.rules = gateway.config().channelRules();
  }

  // ---- WebSocket frames -----------------------------------------------------------------------

  /** A text message (UTF-8, parsed before this returns): one request, answered on the session with its {@code ref}. */
  public void text(Session session, Buffer text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      session.sendError(null, RealtimeException.badRequest("frame is not a JSON object"));
      return;
    }
    String ref = JsonFields.optionalString(frame, "ref");
    try {
      String type = JsonFields.requireString(frame, "type");
      gateway.metrics().frameIn(KNOWN_TYPES.contains(type) ? type : "unknown");
      if (session.kind() == Session.Kind.SIGNALING && !type.equals(FrameType.SIGNAL) && !type.equals(FrameType.PING)) {
        throw RealtimeException.badRequest("this socket carries signal and ping only; use /realtime/ws for '" + type + "'");
      }
      dispatch(session, type, frame, ref);
    } catch (RuntimeException e) {
      session.refuse(ref, internalIfBug(session, e));
    }
  }

  private void dispatch(Session session, String type, JsonObject frame, String ref) {
    Principal principal = session.principal();
    switch (type) {
      case FrameType.SUBSCRIBE -> {
        Channel channel = subscribable(principal, JsonFields.requireString(frame, "channel"));
        Long since = JsonFields.optionalNonNegativeLong(frame, "since");
        String epoch = JsonFields.optionalStrictString(frame, "epoch");
        charge(principal, gateway.limits().subscribes, "subscribes");
        session.subscribe(channel, since, epoch, ref);
      }
      case FrameType.UNSUBSCRIBE -> {
        Channel channel = Channel.parse(JsonFields.requireString(frame, "channel"));
        session.checkUnsubscribe(channel);
        charge(principal, gateway.limits().subscribes, "subscribes");
        session.unsubscribe(channel, ref);
      }
      case FrameType.MESSAGE -> {
        // Validated and charged now (a flood closes at once); sent after the connection's earlier messages.
        ChatMessage message = publishable(principal, frame);
        RateLimiter.Verdict verdict = messageVerdict(principal, message);
        session.reply(session.inOrder(() -> send(principal, message, verdict, MessagePath.WEBSOCKET)), ref);
      }
      case FrameType.READ -> session.reply(read(principal, frame, session.id())
          .map(unread -> new JsonObject(Frames.unreadCount(unread))), ref);
      case FrameType.TYPING -> session.replyOnlyOnError(session.inOrder(typingRequest(principal, frame)), ref);
      case FrameType.SIGNAL -> session.replyOnlyOnError(session.inOrder(signalRequest(principal, frame)), ref);
      case FrameType.PRESENCE -> session.reply(presence(principal, frame)
          .map(state -> state.put("type", FrameType.PRESENCE_STATE)), ref);
      case FrameType.PING -> session.answer(Frames.typed(FrameType.PONG).put("ts", System.currentTimeMillis()), ref);
      default -> throw new RealtimeException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + type + "'");
    }
  }

  /** A binary frame: relayed by the chat service to the channel's subscribers, acked to the sender. */
  public void binary(Session session, Buffer frame) {
    String ref = null;
    try {
      if (session.kind() == Session.Kind.SIGNALING) {
        throw RealtimeException.badRequest("this socket carries signal and ping only; use /realtime/ws for binary frames");
      }
      BinaryFrames.Parsed parsed = BinaryFrames.parse(frame);
      ref = JsonFields.optionalString(parsed.header(), "ref");
      gateway.metrics().frameIn("binary");
      session.reply(binary(session.principal(), parsed), ref);
    } catch (RuntimeException e) {
      session.refuse(ref, internalIfBug(session, e));
    }
  }

  /** A bug is logged and answered as {@code internal}; a client's mistake is answered as it is. */
  private static RuntimeException internalIfBug(Session session, RuntimeException e) {
    if (e instanceof RealtimeException) {
      return e;
    }
    LOG.log(Level.SEVERE, "frame handling failed user=" + session.principal().userId() + " connection=" + session.id(), e);
    return new RealtimeException(ErrorCode.INTERNAL, "internal error");
  }

  // ---- actions (WebSocket and REST alike) -----------------------------------------------------

  /** A channel the principal may subscribe to (history and presence of a room need the same right). */
  public Channel subscribable(Principal principal, String name) {
    Channel channel = Channel.parse(name);
    rules.checkSubscribe(principal, channel);
    return channel;
  }

  /** The {@code channels} of an SSE or poll request: each valid and subscribable, else 400 / 403 before anything starts. */
  public List<String> streamChannels(Principal principal, String param) {
    List<String> channels = new ArrayList<>();
    if (param == null || param.isBlank()) {
      return channels;
    }
    for (String name : param.split(",")) {
      String channel = subscribable(principal, name.trim()).name();
      if (!channels.contains(channel)) {
        channels.add(channel);
      }
    }
    if (channels.size() > MAX_STREAM_CHANNELS) {
      throw RealtimeException.badRequest("at most " + MAX_STREAM_CHANNELS + " channels per stream");
    }
    return channels;
  }

  /** A chat message → its {@code ack} frame (PROTOCOL.md: a repeated idem costs nothing). */
  public Future<JsonObject> message(Principal principal, JsonObject body, MessagePath path) {
    ChatMessage message = publishable(principal, body);
    return send(principal, message, messageVerdict(principal, message), path);
  }

  /** A valid message on a channel the principal may publish to. */
  private ChatMessage publishable(Principal principal, JsonObject body) {
    ChatMessage message = ChatMessage.fromClient(principal, body);
    rules.checkPublish(principal, Channel.parse(message.channel()));
    return message;
  }

  /** Takes the message budget; over it, only a message with an idem key goes on (it may be a free repeat). */
  private RateLimiter.Verdict messageVerdict(Principal principal, ChatMessage message) {
    RateLimiter.Verdict verdict = take(principal, gateway.limits().messages);
    if (!verdict.allowed() && message.idem() == null) {
      throw refusal(verdict, "messages");
    }
    return verdict;
  }

  /**
   * Within the budget: stored by the chat service, a repeat refunded. Over it: the original's ack if the idem was used, else the refusal.
   */
  private Future<JsonObject> send(Principal principal, ChatMessage message, RateLimiter.Verdict verdict, MessagePath path) {
    if (!verdict.allowed()) {
      return gateway.bus().request(Addresses.CHAT_REPEAT, message.toJson()).compose(reply -> {
        if (!reply.containsKey("seq")) {
          return Future.failedFuture(refusal(verdict, "messages"));
        }
        gateway.limits().messages.forgive(principal.userId());
        return Future.succeededFuture(Frames.ack(Ack.fromJson(reply)));
      });
    }
    return gateway.bus().request(Addresses.CHAT_MESSAGE, message.toJson()).map(reply -> {
      if (reply.getBoolean("duplicate", false)) {
        gateway.limits().messages.refund(principal.userId());
      } else {
        gateway.metrics().messageAccepted(path);
      }
      return Frames.ack(Ack.fromJson(reply));
    });
  }

  /** A binary relay → its {@code ack} frame ({@code channel, id, ts}). */
  public Future<JsonObject> binary(Principal principal, BinaryFrames.Parsed frame) {
    rules.checkPublish(principal, Channel.parse(frame.channel()));
    charge(principal, gateway.limits().messages, "messages");
    return gateway.bus().request(Addresses.CHAT_BINARY, ChatRequests.Binary.fromFrame(principal, frame).toJson())
        .map(reply -> {
          gateway.metrics().messageAccepted(MessagePath.WEBSOCKET_BINARY);
          return reply.put("type", FrameType.ACK);
        });
  }

  /**
   * A typing indicator: the publish right first (a forbidden channel is {@code forbidden} even
   * when the throttle would have dropped it), then the throttle drops extras, which succeed unsent.
   */
  public Future<Void> typing(Principal principal, JsonObject body) {
    return typingRequest(principal, body).get();
  }

  /** Checks a typing indicator now; the request it returns relays it (or, throttled, does nothing). */
  private Supplier<Future<Void>> typingRequest(Principal principal, JsonObject body) {
    Channel channel = Channel.parse(JsonFields.requireString(body, "channel"));
    ChatRequests.Typing typing = new ChatRequests.Typing(principal, channel.name(), JsonFields.requireBoolean(body, "active"));
    rules.checkPublish(principal, channel);
    if (!gateway.limits().typing.allow(principal.userId(), typing.channel(), typing.active(), System.currentTimeMillis())) {
      return Future::succeededFuture;
    }
    return () -> gateway.bus().request(Addresses.CHAT_TYPING, typing.toJson()).mapEmpty();
  }

  /** A WebRTC signal for every connection of {@code to}; {@code not_found} when it has none. */
  public Future<Void> signal(Principal principal, JsonObject body) {
    return signalRequest(principal, body).get();
  }

  /** Checks and charges a signal now; the request it returns relays it. */
  private Supplier<Future<Void>> signalRequest(Principal principal, JsonObject body) {
    ChatRequests.Signal signal = ChatRequests.Signal.fromClient(principal, body);
    charge(principal, gateway.limits().signals, "signals");
    return () -> gateway.bus().request(Addresses.CHAT_SIGNAL, signal.toJson()).mapEmpty();
  }

  /**
   * {@code {channel}} (subscribe right needed) or {@code {users}} → {@code {users:[…]}}, with
   * {@code channel} when one was asked.
   */
  public Future<JsonObject> presence(Principal principal, JsonObject body) {
    PresenceRequests.Query query = PresenceRequests.Query.fromJson(body);
    if (query.channel() != null) {
      subscribable(principal, query.channel());
    }
    return gateway.bus().request(Addresses.PRESENCE_QUERY, query.toJson())
        .map(reply -> query.channel() == null ? reply
            : new JsonObject().put("channel", query.channel()).put("users", reply.getJsonArray("users")));
  }

  /**
   * Marks the principal's notifications read ({@code upTo} or {@code ids}) → the unread count;
   * {@code connectionId} (nullable) is answered directly, the user's other connections get it pushed.
   */
  public Future<Long> read(Principal principal, JsonObject body, String connectionId) {
    NotificationRequests.Read read = NotificationRequests.Read.fromClient(principal.userId(), body, connectionId);
    return gateway.bus().request(Addresses.NOTIFY_READ, read.toJson()).map(answer -> answer.getLong("unread"));
  }

  // ---- services -------------------------------------------------------------------------------

  /** Service endpoints: tokens with role {@code service} only ({@code forbidden} otherwise). */
  public void requireService(Principal principal) {
    if (!principal.isService()) {
      throw RealtimeException.forbidden("this endpoint is for service tokens (role 'service')");
    }
  }

  /** A notification for one user → {@code {id, seq}}. */
  public Future<JsonObject> notify(Principal service, JsonObject body) {
    requireService(service);
    return gateway.bus().request(Addresses.NOTIFY, ServiceRequests.Notify.fromJson(body).toJson());
  }

  /** A channel message from {@code service:{sub}} → {@code {channel, seq, id}}. */
  public Future<JsonObject> publish(Principal service, JsonObject body) {
    requireService(service);
    ServiceRequests.Publish publish = ServiceRequests.Publish.fromJson(body.copy().put("from", service.publisherName()));
    rules.checkPublish(service, Channel.parse(publish.channel()));
    return gateway.bus().request(Addresses.PUBLISH, publish.toJson())
        .onSuccess(reply -> gateway.metrics().messageAccepted(MessagePath.SERVICE_PUBLISH));
  }

  /** A message with a kind on a channel, or on {@code broadcast} when none is given. */
  public Future<JsonObject> broadcast(Principal service, JsonObject body) {
    requireService(service);
    ServiceRequests.Broadcast broadcast = ServiceRequests.Broadcast.fromJson(body.copy().put("from", service.publisherName()));
    rules.checkPublish(service, Channel.parse(broadcast.channel()));
    return gateway.bus().request(Addresses.BROADCAST, broadcast.toJson())
        .onSuccess(reply -> gateway.metrics().messageAccepted(MessagePath.SERVICE_BROADCAST));
  }

  /** Ends every WebSocket and SSE connection of a user on every node → {@code {closed: N}}. */
  public Future<JsonObject> disconnectUser(Principal service, JsonObject body) {
    requireService(service);
    PresenceRequests.DisconnectUser order = new PresenceRequests.DisconnectUser(Principal.requireUserId(body, "userId"),
        service.publisherName(), JsonFields.optionalStrictString(body, "reason"));
    return gateway.bus().request(Addresses.PRESENCE_DISCONNECT_USER, order.toJson());
  }

  // ---- limits ---------------------------------------------------------------------------------

  /** Takes one unit of a budget or throws {@code rate_limited} (a {@link Session.Flooding} far past it). */
  private void charge(Principal principal, RateLimiter limiter, String what) {
    RateLimiter.Verdict verdict = take(principal, limiter);
    if (!verdict.allowed()) {
      throw refusal(verdict, what);
    }
  }

  private RateLimiter.Verdict take(Principal principal, RateLimiter limiter) {
    RateLimiter.Verdict verdict = limiter.acquire(principal.userId(), System.currentTimeMillis());
    if (!verdict.allowed()) {
      gateway.metrics().rateLimited();
    }
    return verdict;
  }

  private static RealtimeException refusal(RateLimiter.Verdict verdict, String what) {
    String text = "too many " + what + "; retry in " + verdict.retryAfterMs() + " ms";
    return verdict.flooding() ? new Session.Flooding(text, verdict.retryAfterMs())
        : RealtimeException.rateLimited(text, verdict.retryAfterMs());
  }
}
