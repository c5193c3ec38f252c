package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
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

  ClientActions(GatewayContext gateway) {
    this.gateway = gateway;
  }

  /** Relays a typing indicator (throttled: extras succeed without being relayed). */
  Future<Void> typing(Principal principal, JsonObject body) {
    String channel = Channel.parse(JsonFields.requireString(body, "channel")).name();
    boolean active = JsonFields.requireBoolean(body, "active");
    if (!gateway.typing().allow(principal.userId(), channel, active, System.currentTimeMillis())) {
      return Future.succeededFuture();
    }
    return gateway.bus().request(Addresses.CHAT_TYPING,
        new JsonObject().put("principal", principal.toJson()).put("channel", channel).put("active", active)).mapEmpty();
  }

  /** Relays a WebRTC signal to every connection of {@code to}; {@code not_found} when it has none. */
  Future<Void> signal(Principal principal, JsonObject body) {
    return gateway.bus().request(Addresses.CHAT_SIGNAL, new JsonObject().put("principal", principal.toJson())
        .put("to", JsonFields.requireString(body, "to"))
        .put("signal", JsonFields.requireString(body, "signal"))
        .put("payload", body.getValue("payload"))).mapEmpty();
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
