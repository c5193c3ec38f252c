package io.sobranie.realtime.common.auth;

import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.NameChars;
import io.sobranie.realtime.common.RealtimeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The authenticated caller, taken from a verified token: the user id (the {@code sub} claim),
 * the {@code roles} and {@code circles} claims used by channel rules, and when the token expires.
 */
public record Principal(String userId, Set<String> roles, Set<String> circles, long expiresAtMs) {

  public static final String ROLE_SERVICE = "service";

  public Principal {
    roles = Set.copyOf(roles);
    circles = Set.copyOf(circles);
  }

  /** True for 1..64 characters of {@code [A-Za-z0-9_\-.@]}. */
  public static boolean isValidUserId(String id) {
    return id != null && NameChars.valid(id, 64, "_-.@");
  }

  /** The valid user id at {@code key} of a request; missing, mistyped or invalid is a {@code bad_request}. */
  public static String requireUserId(JsonObject request, String key) {
    String id = JsonFields.requireString(request, key);
    if (!isValidUserId(id)) {
      throw RealtimeException.badRequest("'" + key + "' is not a valid user id");
    }
    return id;
  }

  /** The principal a gateway put under {@code principal} in a request to a service, or a {@code bad_request}. */
  public static Principal requireIn(JsonObject request) {
    JsonObject principal = request.getValue("principal") instanceof JsonObject p ? p : null;
    if (principal == null || !isValidUserId(JsonFields.optionalString(principal, "userId"))) {
      throw RealtimeException.badRequest("'principal' with a valid userId is required");
    }
    return fromJson(principal);
  }

  public boolean isService() {
    return roles.contains(ROLE_SERVICE);
  }

  /** The {@code from} of what this principal publishes: the user id, or {@code service:{sub}} for services. */
  public String publisherName() {
    return isService() ? "service:" + userId : userId;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("userId", userId)
        .put("roles", sorted(roles))
        .put("circles", sorted(circles))
        .put("exp", expiresAtMs);
  }

  public static Principal fromJson(JsonObject json) {
    return new Principal(
        json.getString("userId"),
        strings(json.getJsonArray("roles")),
        strings(json.getJsonArray("circles")),
        json.getLong("exp", 0L));
  }

  /** The string form of every element of a claim array (ids may be numbers in tokens); empty for null. */
  static Set<String> strings(JsonArray array) {
    if (array == null || array.isEmpty()) {
      return Set.of(); // most principals: every chat request carries one, keep it cheap
    }
    List<String> values = new ArrayList<>(array.size());
    for (Object value : array) {
      if (value instanceof String || value instanceof Number) {
        values.add(String.valueOf(value));
      }
    }
    return Set.copyOf(values);
  }

  private static JsonArray sorted(Set<String> values) {
    if (values.isEmpty()) {
      return new JsonArray();
    }
    List<String> list = new ArrayList<>(values);
    Collections.sort(list);
    return new JsonArray(list);
  }
}
