package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The client requests that WebSocket frames and their REST twins share ({@code typing},
 * {@code signal}, {@code presence}): validated once here, then sent to the service that owns them.
 */
final class ClientActions {
  private final GatewayContext gateway;
  private final GatewayMetrics.MessagePath path;

  /** @param path where the messages sent through these actions come in (counted by it) */
  ClientActions(GatewayContext gateway, GatewayMetrics.MessagePath path) {
    this.gateway = gateway;
    this.path = path;
  }

  /**
   * Relays a typing indicator. The publish right is checked first (a forbidden channel is
   * {@code forbidden} even when the throttle would have dropped the event); then the throttle
   * drops extras, which succeed without being relayed.
   */
  Future<Void> typing(Principal principal, JsonObject body) {
    Channel channel = Channel.parse(JsonFields.requireString(body, "channel"));
    boolean active = JsonFields.requireBoolean(body, "active");
    gateway.config().channelRules().checkPublish(principal, channel);
    if (!gateway.limits().typing.allow(principal.userId(), channel.name(), active, System.currentTimeMillis())) {
      return Future.succeededFuture();
    }
    return gateway.bus().request(Addresses.CHAT_TYPING,
        new JsonObject().put("principal", principal.toJson()).put("channel", channel.name()).put("active", active)).mapEmpty();
  }

  /** Relays a WebRTC signal to every connection of {@code to}; {@code not_found} when it has none. */
  Future<Void> signal(Principal principal, JsonObject body) {
    charge(principal, gateway.limits().signals, "signals");
    return gateway.bus().request(Addresses.CHAT_SIGNAL, new JsonObject().put("principal", principal.toJson())
        .put("to", JsonFields.requireString(body, "to"))
        .put("signal", JsonFields.requireString(body, "signal"))
        .put("payload", body.getValue("payload"))).mapEmpty();
  }

  /**
   * Sends a chat message → the ack frame, charged to the user's message budget; a repeated idem
   * costs nothing (PROTOCOL.md): refunded when it came within the budget, answered from the store
   * when it came over it. Fails {@code rate_limited} (a {@link Flooding} past twice the budget).
   */
  Future<JsonObject> message(Principal principal, JsonObject body) {
    ChatMessage message = ChatMessage.fromClient(principal, body);
    RateLimiter.Verdict verdict = take(principal, gateway.limits().messages);
    if (!verdict.allowed() && message.idem() == null) {
      throw refusal(verdict, "messages");
    }
    return send(principal, message, verdict);
  }

  /** Sends a validated message whose budget verdict was taken when it arrived (see {@link #message}). */
  Future<JsonObject> send(Principal principal, ChatMessage message, RateLimiter.Verdict verdict) {
    return verdict.allowed() ? send(principal, message) : repeatOrRefuse(principal, message, verdict);
  }

  /** Sends a message within the budget → the ack frame; refunds a repeated idem. */
  private Future<JsonObject> send(Principal principal, ChatMessage message) {
    return gateway.bus().request(Addresses.CHAT_MESSAGE, message.toJson()).map(reply -> {
      if (reply.getBoolean("duplicate", false)) {
        gateway.limits().messages.refund(principal.userId());
      } else {
        gateway.metrics().messageAccepted(path);
      }
      return Frames.ack(Ack.fromJson(reply));
    });
  }

  /** Over the budget with an idem key: the original's ack if it is a repeat, else the refusal. */
  private Future<JsonObject> repeatOrRefuse(Principal principal, ChatMessage message, RateLimiter.Verdict verdict) {
    return gateway.bus().request(Addresses.CHAT_REPEAT, message.toJson()).compose(reply -> {
      if (!reply.containsKey("seq")) {
        return Future.failedFuture(refusal(verdict, "messages"));
      }
      gateway.limits().messages.forgive(principal.userId());
      return Future.succeededFuture(Frames.ack(Ack.fromJson(reply)));
    });
  }

  /** Takes one unit of a budget or throws {@code rate_limited} (a {@link Flooding} one past twice the limit). */
  void charge(Principal principal, RateLimiter limiter, String what) {
    RateLimiter.Verdict verdict = take(principal, limiter);
    if (!verdict.allowed()) {
      throw refusal(verdict, what);
    }
  }

  /** Takes one unit of a budget; a refusal is counted in the metrics. */
  RateLimiter.Verdict take(Principal principal, RateLimiter limiter) {
    RateLimiter.Verdict verdict = limiter.acquire(principal.userId(), System.currentTimeMillis());
    if (!verdict.allowed()) {
      gateway.metrics().rateLimited();
    }
    return verdict;
  }

  /** The error a refused attempt gets. */
  static RealtimeException refusal(RateLimiter.Verdict verdict, String what) {
    String text = "too many " + what + "; retry in " + verdict.retryAfterMs() + " ms";
    return verdict.flooding() ? new Flooding(text, verdict.retryAfterMs()) : RealtimeException.rateLimited(text, verdict.retryAfterMs());
  }

  /** Rate limited, and far past the limit: the WebSocket is closed with 1008. */
  static final class Flooding extends RealtimeException {
    Flooding(String message, long retryAfterMs) {
      super(ErrorCode.RATE_LIMITED, message, retryAfterMs);
    }
  }

  /**
   * {@code {channel}} (subscribe right needed) or {@code {users}} → the presence service's
   * {@code {users:[…]}}, with {@code channel} added when one was asked.
   */
  Future<JsonObject> presence(Principal principal, JsonObject body) {
    String channel = JsonFields.optionalStrictString(body, "channel");
    JsonObject query = new JsonObject();
    if (channel != null) {
      Channel parsed = Channel.parse(channel);
      gateway.config().channelRules().checkSubscribe(principal, parsed);
      query.put("channel", parsed.name());
    } else {
      JsonArray users = JsonFields.optionalArray(body, "users");
      if (users == null) {
        throw RealtimeException.badRequest("'channel' or 'users' (an array of user ids) is required");
      }
      query.put("users", users);
    }
    return gateway.bus().request(Addresses.PRESENCE_QUERY, query)
        .map(reply -> channel == null ? reply : new JsonObject().put("channel", query.getString("channel"))
            .put("users", reply.getJsonArray("users")));
  }
}
