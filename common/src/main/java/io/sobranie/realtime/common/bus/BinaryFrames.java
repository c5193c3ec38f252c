package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.channel.Channel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The binary frame layout of PROTOCOL.md section 3:
 * {@code [4-byte big-endian header length][UTF-8 JSON header][payload]}.
 */
public final class BinaryFrames {
  public static final int MAX_HEADER_BYTES = 8192;

  private BinaryFrames() {
  }

  /** A parsed client frame: its header (with a valid {@code channel}) and payload. */
  public record Parsed(JsonObject header, String channel, Buffer payload) {
  }

  /** Parses and validates a client frame; anything malformed is a {@code bad_request}. */
  public static Parsed parse(Buffer frame) {
    if (frame.length() < 4) {
      throw RealtimeException.badRequest("binary frame shorter than its 4-byte header length");
    }
    int headerLength = frame.getInt(0);
    if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > frame.length() - 4) {
      throw RealtimeException.badRequest("binary frame header length " + headerLength + " does not fit the frame");
    }
    JsonObject header;
    try {
      header = new JsonObject(frame.getString(4, 4 + headerLength, "UTF-8"));
    } catch (RuntimeException e) {
      throw RealtimeException.badRequest("binary frame header is not a JSON object");
    }
    Object channel = header.getValue("channel");
    if (!(channel instanceof String name)) {
      throw RealtimeException.badRequest("binary frame header needs a 'channel'");
    }
    for (String key : new String[] {"contentType", "filename", "ref"}) {
      Object value = header.getValue(key);
      if (value != null && !(value instanceof String)) {
        throw RealtimeException.badRequest("binary frame header '" + key + "' must be a string");
      }
    }
    return new Parsed(header, Channel.parse(name).name(), frame.slice(4 + headerLength, frame.length()));
  }

  /** The frame subscribers get: the same layout, with {@code header} as given. */
  public static Buffer build(JsonObject header, Buffer payload) {
    Buffer json = header.toBuffer();
    return Buffer.buffer(4 + json.length() + payload.length()).appendInt(json.length()).appendBuffer(json).appendBuffer(payload);
  }
}
