package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A notification for this user ({@code seq} runs 1, 2, 3 … per user); delivered once, in order. */
public record Notification(String id, long seq, String kind, JsonNode data, long ts, boolean read) {
  static Notification of(JsonNode frame) {
    return new Notification(Json.text(frame, "id"), Json.number(frame, "seq"), Json.text(frame, "kind"),
        Json.value(frame, "data"), Json.number(frame, "ts"), Json.bool(frame, "read"));
  }
}
