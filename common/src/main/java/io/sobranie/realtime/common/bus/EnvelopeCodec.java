package io.sobranie.realtime.common.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;

/**
 * The event-bus codec of {@link Envelope}: zero-copy within a JVM (records are immutable), a
 * compact versioned binary form across the cluster.
 */
public final class EnvelopeCodec implements MessageCodec<Envelope, Envelope> {
  public static final String NAME = "realtime-envelope";
  private static final byte VERSION = 1;

  @Override
  public void encodeToWire(Buffer buffer, Envelope e) {
    int start = buffer.length();
    buffer.appendInt(0); // total length, patched below
    buffer.appendByte(VERSION).appendByte((byte) e.kind().code).appendLong(e.seq()).appendLong(e.ts());
    for (String s : new String[] {e.target(), e.epoch(), e.id(), e.from(), e.messageKind(), e.data(), e.except()}) {
      if (s == null) {
        buffer.appendInt(-1);
      } else {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        buffer.appendInt(bytes.length).appendBytes(bytes);
      }
    }
    buffer.setInt(start, buffer.length() - start - 4);
  }

  @Override
  public Envelope decodeFromWire(int pos, Buffer buffer) {
    int p = pos + 4;
    byte version = buffer.getByte(p++);
    if (version != VERSION) {
      throw new IllegalStateException("envelope version " + version + " is not supported by this node");
    }
    Envelope.Kind kind = Envelope.Kind.of(buffer.getByte(p++));
    long seq = buffer.getLong(p);
    long ts = buffer.getLong(p + 8);
    p += 16;
    String[] s = new String[7];
    for (int i = 0; i < s.length; i++) {
      int length = buffer.getInt(p);
      p += 4;
      if (length >= 0) {
        s[i] = buffer.getString(p, p + length, "UTF-8");
        p += length;
      }
    }
    return new Envelope(kind, s[0], seq, s[1], s[2], s[3], ts, s[4], s[5], s[6]);
  }

  @Override
  public Envelope transform(Envelope envelope) {
    return envelope;
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
