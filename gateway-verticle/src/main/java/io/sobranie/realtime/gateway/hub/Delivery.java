package io.sobranie.realtime.gateway.hub;

import io.sobranie.realtime.common.bus.Envelope;
import io.vertx.core.buffer.Buffer;

/**
 * What a {@link Shard} hands a connection: one event, encoded once per node as the JSON object
 * every transport sends (WebSocket frame, SSE {@code data:}, poll list entry).
 *
 * @param kind        what it is
 * @param key         the stream key of a sequenced event, the channel of a typing event, the user of a user event
 * @param seq         the stream seq (0 for live-only events)
 * @param epoch       the stream epoch (null for live-only events)
 * @param type        the protocol {@code type} (and SSE {@code event:} name)
 * @param except      who must not receive it, or null: a user for channel events (the typist), a
 *                    connection id for user events (the one answered directly)
 * @param json        the encoded JSON object
 */
public record Delivery(Envelope.Kind kind, String key, long seq, String epoch, String type, String except, Buffer json) {
  public boolean sequenced() {
    return seq > 0;
  }
}
