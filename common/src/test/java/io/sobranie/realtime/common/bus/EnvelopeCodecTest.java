package io.sobranie.realtime.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The envelope's cluster wire form (DESIGN.md "The fan-out rule"): a small versioned record. */
class EnvelopeCodecTest {
  private final EnvelopeCodec codec = new EnvelopeCodec();

  private static Envelope full() {
    return new Envelope(Envelope.Kind.MESSAGE, "chat:lobby", 42, "ep0ch", "m-abc", "service:billing",
        1_700_000_000_123L, "invoice", "{\"total\":12}", "bob");
  }

  private Envelope roundTrip(Envelope envelope) {
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, envelope);
    return codec.decodeFromWire(0, buffer);
  }

  @Test
  void roundTripKeepsEveryField() {
    assertEquals(full(), roundTrip(full()));
  }

  @Test
  void roundTripKeepsNulls() {
    Envelope sparse = new Envelope(Envelope.Kind.TYPING, "chat:lobby", 0, null, null, null, 5L, null, null, null);
    assertEquals(sparse, roundTrip(sparse));
  }

  @Test
  void roundTripKeepsEmptyStringsApartFromNulls() {
    Envelope empty = new Envelope(Envelope.Kind.MESSAGE, "", 1, "", "", "", 0L, "", "", "");
    assertEquals(empty, roundTrip(empty));
  }

  @Test
  void roundTripKeepsNonAsciiText() {
    Envelope text = new Envelope(Envelope.Kind.MESSAGE, "chat:lobby", 7, "é", "m-1", "алиса",
        -1L, "ключ", "{\"text\":\"héllo wörld — 你好 🌍\"}", "😀");
    assertEquals(text, roundTrip(text));
  }

  @Test
  void roundTripKeepsExtremeNumbers() {
    Envelope big = new Envelope(Envelope.Kind.MESSAGE, "c:x", Long.MAX_VALUE, "e", "i", "f", Long.MIN_VALUE, null, "1", null);
    assertEquals(big, roundTrip(big));
  }

  @Test
  void decodesAtANonZeroOffset() {
    Buffer buffer = Buffer.buffer().appendString("prefix!"); // 7 bytes of something else
    int first = buffer.length();
    codec.encodeToWire(buffer, full());
    int second = buffer.length();
    Envelope other = new Envelope(Envelope.Kind.TYPING, "dm:a:b", 0, null, null, "a", 9L, null, "true", "a");
    codec.encodeToWire(buffer, other);
    assertEquals(full(), codec.decodeFromWire(first, buffer));
    assertEquals(other, codec.decodeFromWire(second, buffer));
  }

  @Test
  void encodedFormStartsWithItsOwnLength() {
    Buffer buffer = Buffer.buffer().appendByte((byte) 9);
    codec.encodeToWire(buffer, full());
    assertEquals(buffer.length() - 1 - 4, buffer.getInt(1));
  }

  @Test
  void unknownVersionIsRefused() {
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, full());
    buffer.setByte(4, (byte) 99); // the version byte follows the 4-byte length
    assertThrows(RuntimeException.class, () -> codec.decodeFromWire(0, buffer));
  }

  @Test
  void unknownKindIsRefused() {
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, full());
    buffer.setByte(5, (byte) 77);
    assertThrows(RuntimeException.class, () -> codec.decodeFromWire(0, buffer));
  }

  @Test
  void kindWireCodesAreFixed() {
    assertEquals(1, Envelope.Kind.MESSAGE.code);
    assertEquals(2, Envelope.Kind.TYPING.code);
  }

  @Test
  void localTransformIsZeroCopy() {
    Envelope envelope = full();
    assertSame(envelope, codec.transform(envelope));
  }

  @Test
  void codecIsAUserCodecWithAName() {
    assertEquals(EnvelopeCodec.NAME, codec.name());
    assertEquals(-1, codec.systemCodecID());
  }
}
