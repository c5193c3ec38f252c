package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.vertx.core.json.JsonObject;

/**
 * The requests services make (PROTOCOL.md sections 6 and 7), validated the same way whether they
 * come over REST or the event bus.
 */
public final class ServiceRequests {
  public static final int MAX_KIND_LENGTH = 64;

  private ServiceRequests() {
  }

  /** {@code realtime.notify} / {@code POST /realtime/send}: a notification for one user. */
  public record Notify(String userId, String kind, Object data) {
    public static Notify fromJson(JsonObject json) {
      return new Notify(Principal.requireUserId(json, "userId"), kindField(json, true), dataField(json));
    }

    public JsonObject toJson() {
      return new JsonObject().put("userId", userId).put("kind", kind).put("data", data);
    }
  }

  /** {@code realtime.publish} / {@code POST /realtime/publish}: a channel message from a service. */
  public record Publish(String channel, Object data, String from, String kind) {
    public static Publish fromJson(JsonObject json) {
      String channel = Channel.parse(JsonFields.requireString(json, "channel")).name();
      String from = JsonFields.optionalStrictString(json, "from");
      if (from == null || from.isEmpty() || from.length() > 128) {
        throw RealtimeException.badRequest("'from' must be a string of 1..128 characters");
      }
      return new Publish(channel, dataField(json), from, kindField(json, false));
    }

    public JsonObject toJson() {
      return new JsonObject().put("channel", channel).put("data", data).put("from", from).put("kind", kind);
    }
  }

  /** {@code realtime.broadcast} / {@code POST /realtime/broadcast}: a message on a channel or on {@code broadcast}. */
  public record Broadcast(String channel, String kind, Object data, String from) {
    public static Broadcast fromJson(JsonObject json) {
      String channel = JsonFields.optionalStrictString(json, "channel");
      channel = channel == null ? Channel.BROADCAST : Channel.parse(channel).name();
      String from = JsonFields.optionalStrictString(json, "from");
      return new Broadcast(channel, kindField(json, true), dataField(json), from == null ? "service" : from);
    }

    public JsonObject toJson() {
      return new JsonObject().put("channel", channel).put("kind", kind).put("data", data).put("from", from);
    }
  }

  private static String kindField(JsonObject json, boolean required) {
    String kind = required ? JsonFields.requireString(json, "kind") : JsonFields.optionalStrictString(json, "kind");
    if (kind != null && (kind.isEmpty() || kind.length() > MAX_KIND_LENGTH)) {
      throw RealtimeException.badRequest("'kind' must be 1.." + MAX_KIND_LENGTH + " characters");
    }
    return kind;
  }

  private static Object dataField(JsonObject json) {
    Object data = json.getValue("data");
    if (data == null) {
      throw RealtimeException.badRequest("'data' is required");
    }
    return data;
  }
}
