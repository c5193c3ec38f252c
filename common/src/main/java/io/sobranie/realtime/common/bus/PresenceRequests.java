package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What gateways tell the presence service ({@code realtime.presence.*}), one record per address,
 * each read back with the same validation as client input (any sender on the bus may be wrong).
 * {@code nodeId} is the gateway's incarnation in the presence registry.
 */
public final class PresenceRequests {
  private PresenceRequests() {
  }

  /** {@code realtime.presence.connect}: a connection opened. */
  public record Connect(String nodeId, String userId, String connectionId, String transport) {
    public JsonObject toJson() {
      return new JsonObject().put("nodeId", nodeId).put("userId", userId).put("connectionId", connectionId)
          .put("transport", transport);
    }

    public static Connect fromJson(JsonObject json) {
      return new Connect(JsonFields.requireString(json, "nodeId"), Principal.requireUserId(json, "userId"),
          JsonFields.requireString(json, "connectionId"), JsonFields.requireString(json, "transport"));
    }
  }

  /** {@code realtime.presence.disconnect}: a connection closed, with the rooms it followed. */
  public record Disconnect(String nodeId, String userId, String connectionId, List<String> rooms) {
    public Disconnect {
      rooms = List.copyOf(rooms);
    }

    public JsonObject toJson() {
      return new JsonObject().put("nodeId", nodeId).put("userId", userId).put("connectionId", connectionId)
          .put("rooms", new JsonArray(new ArrayList<>(rooms)));
    }

    public static Disconnect fromJson(JsonObject json) {
      JsonArray rooms = JsonFields.optionalArray(json, "rooms");
      List<String> names = new ArrayList<>();
      if (rooms != null) {
        for (Object room : rooms) {
          if (!(room instanceof String name)) {
            throw RealtimeException.badRequest("'rooms' must hold channel names");
          }
          names.add(Channel.parse(name).name());
        }
      }
      return new Disconnect(JsonFields.requireString(json, "nodeId"), Principal.requireUserId(json, "userId"),
          JsonFields.requireString(json, "connectionId"), names);
    }
  }

  /** {@code realtime.presence.join} / {@code .leave}: a connection started or stopped following a room. */
  public record Membership(String nodeId, String channel, String userId, String connectionId) {
    public JsonObject toJson() {
      return new JsonObject().put("nodeId", nodeId).put("channel", channel).put("userId", userId)
          .put("connectionId", connectionId);
    }

    public static Membership fromJson(JsonObject json) {
      return new Membership(JsonFields.requireString(json, "nodeId"), Channel.parse(JsonFields.requireString(json, "channel")).name(),
          Principal.requireUserId(json, "userId"), JsonFields.requireString(json, "connectionId"));
    }
  }

  /**
   * {@code realtime.presence.query}: who follows {@code channel} now, or the status of
   * {@code users} (at most {@value #MAX_USERS}); exactly one of the two.
   */
  public record Query(String channel, List<String> users) {
    public static final int MAX_USERS = 100;

    public Query {
      users = users == null ? null : List.copyOf(users);
    }

    public static Query ofChannel(String channel) {
      return new Query(channel, null);
    }

    public static Query ofUsers(List<String> users) {
      return new Query(null, users);
    }

    public JsonObject toJson() {
      return channel != null ? new JsonObject().put("channel", channel)
          : new JsonObject().put("users", new JsonArray(new ArrayList<>(users)));
    }

    /** Reads a query from a client body or the bus; anything malformed is a {@code bad_request}. */
    public static Query fromJson(JsonObject json) {
      String channel = JsonFields.optionalStrictString(json, "channel");
      if (channel != null) {
        return ofChannel(Channel.parse(channel).name());
      }
      JsonArray list = JsonFields.optionalArray(json, "users");
      if (list == null || list.size() > MAX_USERS) {
        throw RealtimeException.badRequest("'channel' or 'users' (an array of at most " + MAX_USERS + " user ids) is required");
      }
      List<String> ids = new ArrayList<>();
      for (Object id : list) {
        if (!(id instanceof String s) || !Principal.isValidUserId(s)) {
          throw RealtimeException.badRequest("'users' must hold valid user ids");
        }
        if (!ids.contains(s)) {
          ids.add(s);
        }
      }
      return ofUsers(ids);
    }
  }

  /**
   * {@code realtime.presence.disconnect-user}: a service ({@code from}) ends every connection of
   * {@code userId}; {@code reason} (1..{@value #MAX_REASON_LENGTH} characters, default
   * {@code disconnected}) goes to the client.
   */
  public record DisconnectUser(String userId, String from, String reason) {
    public static final int MAX_REASON_LENGTH = 100;

    public DisconnectUser {
      if (reason != null && (reason.isEmpty() || reason.length() > MAX_REASON_LENGTH)) {
        throw RealtimeException.badRequest("'reason' must be 1.." + MAX_REASON_LENGTH + " characters");
      }
      reason = reason == null ? "disconnected" : reason;
    }

    public JsonObject toJson() {
      return new JsonObject().put("userId", userId).put("from", from).put("reason", reason);
    }

    public static DisconnectUser fromJson(JsonObject json) {
      return new DisconnectUser(Principal.requireUserId(json, "userId"), JsonFields.optionalStrictString(json, "from"),
          JsonFields.optionalStrictString(json, "reason"));
    }
  }
}
