package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A user went {@code online} or {@code offline} (server frame {@code presence}), seen on {@code channel}. */
public record PresenceChange(String userId, String status, long ts, String channel) {
  static PresenceChange of(JsonNode frame) {
    return new PresenceChange(Json.text(frame, "userId"), Json.text(frame, "status"), Json.number(frame, "ts"),
        Json.text(frame, "channel"));
  }
}
