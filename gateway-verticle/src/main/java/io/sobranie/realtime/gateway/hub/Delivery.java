package io.sobranie.realtime.gateway.hub;

import io.netty.buffer.ByteBuf;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.gateway.protocol.WebSocketWire;
import io.vertx.core.buffer.Buffer;

/**
 * What a {@link Shard} hands a connection: one event, encoded once per node as the JSON object
 * every transport sends (WebSocket frame, SSE {@code data:}, poll list entry), and, the first
 * time a WebSocket needs it, once as a complete WebSocket frame that every WebSocket of the node
 * writes as it is.
 */
public final class Delivery {
  private final Envelope.Kind kind;
  private final String key;
  private final long seq;
  private final String epoch;
  private final String type;
  private final String except;
  private final Buffer json;
  /** Built on first use by whichever event loop gets there first (a second build is harmless). */
  private volatile ByteBuf webSocketFrame;

  /**
   * @param kind   what it is
   * @param key    the stream key of a sequenced event, the channel of a typing event, the user of a user event
   * @param seq    the stream seq (0 for live-only events)
   * @param epoch  the stream epoch (null for live-only events)
   * @param type   the protocol {@code type} (and SSE {@code event:} name)
   * @param except who must not receive it, or null: a user for channel events (the typist), a
   *               connection id for user events (the one answered directly)
   * @param json   the encoded JSON object (for a binary relay, the binary frame's bytes)
   */
  public Delivery(Envelope.Kind kind, String key, long seq, String epoch, String type, String except, Buffer json) {
    this.kind = kind;
    this.key = key;
    this.seq = seq;
    this.epoch = epoch;
    this.type = type;
    this.except = except;
    this.json = json;
  }

  public Envelope.Kind kind() {
    return kind;
  }

  public String key() {
    return key;
  }

  public long seq() {
    return seq;
  }

  public String epoch() {
    return epoch;
  }

  public String type() {
    return type;
  }

  public String except() {
    return except;
  }

  public Buffer json() {
    return json;
  }

  public boolean sequenced() {
    return seq > 0;
  }

  /** The WebSocket text frame of {@link #json()}, shared: write a {@code duplicate()} of it per socket. */
  public ByteBuf webSocketFrame() {
    ByteBuf frame = webSocketFrame;
    if (frame == null) {
      frame = WebSocketWire.sharedText(json);
      webSocketFrame = frame;
    }
    return frame;
  }

  @Override
  public String toString() {
    return "Delivery[" + kind + " " + key + " seq=" + seq + " type=" + type + "]";
  }
}
