package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A notification a service sent was stored as the user's notification {@code seq}. */
public record NotificationRef(String id, long seq) {
  static NotificationRef of(JsonNode body) {
    return new NotificationRef(Json.text(body, "id"), Json.number(body, "seq"));
  }
}
