package io.sobranie.realtime.gateway.protocol;

import io.sobranie.realtime.common.FrameType;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StreamPosition;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** Encodes server → client frames (PROTOCOL.md section 3) as JSON text. */
public final class Frames {
  private Frames() {
  }

  /** A channel {@code message}, built by hand around the already-encoded {@code data}. */
  public static String message(String channel, long seq, String id, String from, String kind, String data, long ts) {
    StringBuilder out = new StringBuilder(96 + data.length() + channel.length())
        .append("{\"type\":\"message\",\"channel\":").append(Json.encode(channel))
        .append(",\"id\":").append(Json.encode(id))
        .append(",\"seq\":").append(seq)
        .append(",\"from\":").append(Json.encode(from))
        .append(",\"data\":").append(data)
        .append(",\"ts\":").append(ts);
    if (kind != null) {
      out.append(",\"kind\":").append(Json.encode(kind));
    }
    return out.append('}').toString();
  }

  public static String message(String channel, StoredMessage m) {
    return message(channel, m.seq(), m.id(), m.from(), m.kind(), m.data(), m.ts());
  }

  public static String message(Envelope e) {
    return message(e.target(), e.seq(), e.id(), e.from(), e.messageKind(), e.data(), e.ts());
  }

  public static String typing(Envelope e) {
    return "{\"type\":\"typing\",\"channel\":" + Json.encode(e.target()) + ",\"from\":" + Json.encode(e.from())
        + ",\"active\":" + e.data() + "}";
  }

  public static String notification(String id, long seq, String kind, String data, long ts, boolean read) {
    return "{\"type\":\"notification\",\"id\":" + Json.encode(id) + ",\"seq\":" + seq + ",\"kind\":" + Json.encode(kind)
        + ",\"data\":" + data + ",\"ts\":" + ts + ",\"read\":" + read + "}";
  }

  public static String unreadCount(long count) {
    return "{\"type\":\"unread_count\",\"count\":" + count + "}";
  }

  public static JsonObject subscribed(String channel, StreamPosition position, boolean recovered) {
    return typed(FrameType.SUBSCRIBED).put("channel", channel).put("seq", position.seq())
        .put("epoch", position.epoch()).put("recovered", recovered);
  }

  public static JsonObject ack(Ack ack) {
    return typed(FrameType.ACK).mergeIn(ack.toJson());
  }

  public static JsonObject error(RealtimeException e) {
    JsonObject frame = typed(FrameType.ERROR).put("code", e.code().wire()).put("message", e.getMessage());
    return e.retryAfterMs() > 0 ? frame.put("retryAfterMs", e.retryAfterMs()) : frame;
  }

  public static JsonObject typed(String type) {
    return new JsonObject().put("type", type);
  }
}
