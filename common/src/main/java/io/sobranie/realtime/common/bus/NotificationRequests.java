package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** What the notification service is asked besides {@code realtime.notify} ({@link ServiceRequests.Notify}). */
public final class NotificationRequests {
  public static final int MAX_READ_IDS = 1000;

  private NotificationRequests() {
  }

  /**
   * {@code realtime.notify.read}: the user marks read up to a seq, or by ids (exactly one). The
   * answer {@code {unread}} goes to the asker; {@code connectionId} (nullable) is the connection
   * that asked, which the pushed count then skips (it got the answer).
   */
  public record Read(String userId, Long upTo, List<String> ids, String connectionId) {
    public Read {
      ids = ids == null ? null : List.copyOf(ids);
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("userId", userId).put("connectionId", connectionId);
      return upTo != null ? json.put("upTo", upTo) : json.put("ids", new JsonArray(new ArrayList<>(ids)));
    }

    public static Read fromJson(JsonObject json) {
      return fromClient(Principal.requireUserId(json, "userId"), json, JsonFields.optionalStrictString(json, "connectionId"));
    }

    /** Validates a client's {@code read} frame or REST body. */
    public static Read fromClient(String userId, JsonObject body, String connectionId) {
      Long upTo = JsonFields.optionalNonNegativeLong(body, "upTo");
      if (upTo != null) {
        return new Read(userId, upTo, null, connectionId);
      }
      JsonArray ids = body.getValue("ids") == null ? null : JsonFields.optionalArray(body, "ids");
      if (ids == null) {
        throw RealtimeException.badRequest("'upTo' (a notification seq) or 'ids' (an array of ids) is required");
      }
      if (ids.size() > MAX_READ_IDS) {
        throw RealtimeException.badRequest("'ids' must be an array of at most " + MAX_READ_IDS + " ids");
      }
      List<String> list = new ArrayList<>(ids.size());
      for (Object id : ids) {
        if (!(id instanceof String s)) {
          throw RealtimeException.badRequest("'ids' must hold strings");
        }
        list.add(s);
      }
      return new Read(userId, null, list, connectionId);
    }
  }
}
