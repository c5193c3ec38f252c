package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to a presence query: the users subscribed to {@code channel} now, or the users asked
 * about ({@code channel} null).
 */
public record PresenceState(String channel, List<UserPresence> users) {
  static PresenceState of(JsonNode frame) {
    List<UserPresence> users = new ArrayList<>();
    frame.path("users").forEach(user -> users.add(UserPresence.of(user)));
    return new PresenceState(Json.text(frame, "channel"), List.copyOf(users));
  }
}
