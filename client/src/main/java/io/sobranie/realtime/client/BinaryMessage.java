package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A binary frame relayed on a channel: live only (no seq, never replayed). The payload array is
 * the client's own copy.
 *
 * @param header the whole frame header ({@code channel}, {@code from}, {@code id}, {@code ts},
 *               {@code contentType}, {@code filename} and whatever else the sender put there)
 */
public record BinaryMessage(String channel, String from, String id, long ts, String contentType, String filename,
                            JsonNode header, byte[] payload) {
  static BinaryMessage of(JsonNode header, byte[] payload) {
    return new BinaryMessage(Json.text(header, "channel"), Json.text(header, "from"), Json.text(header, "id"),
        Json.number(header, "ts"), Json.text(header, "contentType"), Json.text(header, "filename"), header, payload);
  }
}
