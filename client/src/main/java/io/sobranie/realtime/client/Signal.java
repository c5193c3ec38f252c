package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A WebRTC signal from another user: {@code signal} is {@code offer}, {@code answer}, {@code ice} or {@code hangup}. */
public record Signal(String from, String signal, JsonNode payload) {
  static Signal of(JsonNode frame) {
    return new Signal(Json.text(frame, "from"), Json.text(frame, "signal"), Json.value(frame, "payload"));
  }
}
