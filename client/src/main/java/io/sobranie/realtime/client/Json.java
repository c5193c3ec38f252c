package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** Lenient reads of server JSON: a missing field or one of another type reads as absent. */
final class Json {
  private Json() {
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  static long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isNumber() ? value.asLong() : 0;
  }

  static Long optionalNumber(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isNumber() ? value.asLong() : null;
  }

  static boolean bool(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isBoolean() && value.asBoolean();
  }

  /** The field's value, or null (not a NullNode) when absent or JSON null. */
  static JsonNode value(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }
}
