package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A channel message (server frame {@code message}). Per channel, {@code seq} runs 1, 2, 3 … with no
 * holes; the client hands each message to the app once, in seq order.
 *
 * @param from a user id, or {@code service:{sub}} for a service's message
 * @param data the payload as sent; map it with your {@code ObjectMapper#treeToValue}
 * @param kind the kind a service gave, or null
 */
public record Message(String channel, String id, long seq, String from, JsonNode data, long ts, String kind) {
  static Message of(JsonNode frame) {
    return new Message(Json.text(frame, "channel"), Json.text(frame, "id"), Json.number(frame, "seq"),
        Json.text(frame, "from"), Json.value(frame, "data"), Json.number(frame, "ts"), Json.text(frame, "kind"));
  }
}
