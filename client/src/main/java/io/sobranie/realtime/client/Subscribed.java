package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server accepted a subscription (server frame {@code subscribed}).
 *
 * @param seq       the channel's latest seq (0 if none)
 * @param epoch     the channel's stream identity; a different one later means the stream was reset
 * @param recovered whether every message after the {@code since} asked for is (being) delivered
 */
public record Subscribed(String channel, long seq, String epoch, boolean recovered) {
  static Subscribed of(JsonNode frame) {
    return new Subscribed(Json.text(frame, "channel"), Json.number(frame, "seq"), Json.text(frame, "epoch"),
        Json.bool(frame, "recovered"));
  }
}
