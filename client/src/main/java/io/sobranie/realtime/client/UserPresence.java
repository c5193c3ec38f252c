package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One user in a presence answer.
 *
 * @param lastSeen now for online users, the last disconnect for offline ones, null if never seen
 */
public record UserPresence(String userId, String status, Long lastSeen) {
  static UserPresence of(JsonNode json) {
    return new UserPresence(Json.text(json, "userId"), Json.text(json, "status"), Json.optionalNumber(json, "lastSeen"));
  }
}
