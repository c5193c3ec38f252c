package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The binary frame layout of docs/protocol.md section 3:
 * {@code [4-byte big-endian header length][UTF-8 JSON header][payload]}.
 */
final class BinaryFrames {
  private BinaryFrames() {
  }

  /** A received frame: its header object and payload. */
  record Parsed(JsonNode header, byte[] payload) {
  }

  static byte[] build(ObjectMapper mapper, JsonNode header, byte[] payload) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
    return ByteBuffer.allocate(4 + json.length + payload.length).putInt(json.length).put(json).put(payload).array();
  }

  /** Parses a received frame; anything malformed is a {@link RealtimeException#BAD_FRAME}. */
  static Parsed parse(ObjectMapper mapper, byte[] frame) {
    if (frame.length < 4) {
      throw new RealtimeException(RealtimeException.BAD_FRAME, "binary frame shorter than its header length");
    }
    int length = ByteBuffer.wrap(frame).getInt();
    if (length <= 0 || length > frame.length - 4) {
      throw new RealtimeException(RealtimeException.BAD_FRAME, "binary frame header length " + length + " does not fit");
    }
    JsonNode header;
    try {
      header = mapper.readTree(frame, 4, length);
    } catch (IOException e) {
      throw new RealtimeException(RealtimeException.BAD_FRAME, "binary frame header is not JSON");
    }
    if (header == null || !header.isObject() || !header.path("channel").isTextual()) {
      throw new RealtimeException(RealtimeException.BAD_FRAME, "binary frame header has no channel");
    }
    return new Parsed(header, Arrays.copyOfRange(frame, 4 + length, frame.length));
  }
}
