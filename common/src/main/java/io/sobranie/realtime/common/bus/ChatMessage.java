package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.vertx.core.json.JsonObject;

/**
 * A client's channel message on its way to the chat service ({@link io.sobranie.realtime.common.Addresses#CHAT_MESSAGE}).
 * {@code from} is always the authenticated principal, never a client-supplied field.
 *
 * @param data the message's {@code data}: any JSON value but null
 * @param idem the client's idempotency key (1..64 characters), or null
 */
public record ChatMessage(Principal principal, String channel, Object data, String idem) {
  public static final int MAX_IDEM_LENGTH = 64;

  /** Validates the fields of a client {@code message} frame or REST body; bad ones are a {@code bad_request}. */
  public static ChatMessage fromClient(Principal principal, JsonObject body) {
    String channel = Channel.parse(JsonFields.requireString(body, "channel")).name();
    Object data = body.getValue("data");
    if (data == null) {
      throw RealtimeException.badRequest("'data' is required");
    }
    String idem = JsonFields.optionalStrictString(body, "idem");
    if (idem != null && (idem.isEmpty() || idem.length() > MAX_IDEM_LENGTH)) {
      throw RealtimeException.badRequest("'idem' must be 1.." + MAX_IDEM_LENGTH + " characters");
    }
    return new ChatMessage(principal, channel, data, idem);
  }

  public JsonObject toJson() {
    return new JsonObject().put("principal", principal.toJson()).put("channel", channel).put("data", data).put("idem", idem);
  }

  /** Reads a request from the event bus, validating it like client input (any sender may be wrong). */
  public static ChatMessage fromJson(JsonObject json) {
    return fromClient(Principal.requireIn(json), json);
  }
}
