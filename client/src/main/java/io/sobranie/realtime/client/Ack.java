package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server's acknowledgement of a published message: it is stored (history, recovery) under
 * {@code seq}. Acks of binary frames have {@code seq} 0: binary frames are relayed live, not stored.
 */
public record Ack(String channel, long seq, String id, long ts) {
  static Ack of(JsonNode frame) {
    return new Ack(Json.text(frame, "channel"), Json.number(frame, "seq"), Json.text(frame, "id"), Json.number(frame, "ts"));
  }
}
