package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/** The server's {@code connected} frame: the session is live. */
public record Connected(String connectionId, String userId, String node, long heartbeatMs, int maxFrameBytes,
                        int messagesPerMinute) {
  static final int DEFAULT_MAX_FRAME_BYTES = 65_536;

  static Connected of(JsonNode frame) {
    JsonNode limits = frame.path("limits");
    long maxFrame = Json.number(limits, "maxFrameBytes");
    return new Connected(Json.text(frame, "connectionId"), Json.text(frame, "userId"), Json.text(frame, "node"),
        Json.number(frame, "heartbeatMs"), maxFrame > 0 ? (int) maxFrame : DEFAULT_MAX_FRAME_BYTES,
        (int) Json.number(limits, "messagesPerMinute"));
  }
}
