package io.sobranie.realtime.common.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A JSON object on the bus, handed over as it is within a node (Vert.x's own JSON codec copies
 * the whole tree for every local send and reply, the message's {@code data} included) and
 * written as JSON text between nodes, as Vert.x's codec does. Only for objects built for one
 * send and never touched by the sender afterwards: requests the gateway makes and replies the
 * services give. Services outside this repo keep using the default codec; both are read the same.
 */
public final class JsonByReference implements MessageCodec<JsonObject, JsonObject> {
  public static final String NAME = "realtime-json-by-reference";

  /** Sends (and replies) with this codec. */
  public static DeliveryOptions options() {
    return new DeliveryOptions().setCodecName(NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length()).appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
