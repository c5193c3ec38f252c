package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A service's publish or broadcast was stored as message {@code seq} of {@code channel}. */
public record Published(String channel, long seq, String id) {
  static Published of(JsonNode body) {
    return new Published(Json.text(body, "channel"), Json.number(body, "seq"), Json.text(body, "id"));
  }
}
