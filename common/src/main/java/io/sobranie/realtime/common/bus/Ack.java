package io.sobranie.realtime.common.bus;

import io.vertx.core.json.JsonObject;

/** The chat service's answer to an accepted message: what the sender's {@code ack} carries. */
public record Ack(String channel, long seq, String id, long ts) {
  public JsonObject toJson() {
    return new JsonObject().put("channel", channel).put("seq", seq).put("id", id).put("ts", ts);
  }

  public static Ack fromJson(JsonObject json) {
    return new Ack(json.getString("channel"), json.getLong("seq"), json.getString("id"), json.getLong("ts"));
  }
}
