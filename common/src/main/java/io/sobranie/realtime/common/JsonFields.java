package io.sobranie.realtime.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Typed reads of JSON fields from outside input. A field of the wrong JSON type counts as
 * missing (PROTOCOL.md); a required field that is missing is a {@code bad_request}.
 */
public final class JsonFields {
  private JsonFields() {
  }

  /** The string at {@code key}, or null when absent or not a string. */
  public static String optionalString(JsonObject json, String key) {
    Object value = json.getValue(key);
    return value instanceof String s ? s : null;
  }

  public static String requireString(JsonObject json, String key) {
    String value = optionalString(json, key);
    if (value == null) {
      throw RealtimeException.badRequest("'" + key + "' must be a string");
    }
    return value;
  }

  /** The string at {@code key}, null when absent; present but not a string is a bad request. */
  public static String optionalStrictString(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw RealtimeException.badRequest("'" + key + "' must be a string");
  }

  /** A non-negative whole number, null when absent; any other value is a bad request. */
  public static Long optionalNonNegativeLong(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && isWhole(n) && n.longValue() >= 0) {
      return n.longValue();
    }
    throw RealtimeException.badRequest("'" + key + "' must be a non-negative integer");
  }

  public static boolean requireBoolean(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value instanceof Boolean b) {
      return b;
    }
    throw RealtimeException.badRequest("'" + key + "' must be a boolean");
  }

  public static JsonArray optionalArray(JsonObject json, String key) {
    Object value = json.getValue(key);
    return value instanceof JsonArray a ? a : null;
  }

  public static JsonObject optionalObject(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null || value instanceof JsonObject) {
      return (JsonObject) value;
    }
    throw RealtimeException.badRequest("'" + key + "' must be an object");
  }

  private static boolean isWhole(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.0e15;
    }
    return !(n instanceof java.math.BigInteger) || ((java.math.BigInteger) n).bitLength() < 63;
  }
}
