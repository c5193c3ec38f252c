package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** Someone else started or stopped typing on a channel (never the user's own connections). */
public record Typing(String channel, String from, boolean active) {
  static Typing of(JsonNode frame) {
    return new Typing(Json.text(frame, "channel"), Json.text(frame, "from"), Json.bool(frame, "active"));
  }
}
