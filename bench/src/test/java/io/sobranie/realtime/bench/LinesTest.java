package io.sobranie.realtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LinesTest {
  @Test
  @DisplayName("a batched frame is split on newlines and each object's type, seq and payload are found by scanning")
  void batchedFrame() {
    String first = "{\"type\":\"message\",\"channel\":\"post:x\",\"id\":\"m-1\",\"seq\":41,\"from\":\"service:p\","
        + "\"data\":{\"bn\":7,\"bt\":123456789},\"ts\":1}";
    String second = "{\"type\":\"ack\",\"channel\":\"chat:a\",\"seq\":3}";
    byte[] b = (first + "\n" + second).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int end = Lines.lineEnd(b, 0, b.length);
    assertEquals(first.length(), end);
    assertTrue(Lines.isType(b, 0, end, Lines.MESSAGE));
    assertEquals(41, Lines.longAfter(b, 0, end, Lines.SEQ));
    assertEquals(7, Lines.longAfter(b, 0, end, Lines.NUMBER));
    assertEquals(123456789, Lines.longAfter(b, 0, end, Lines.TIME));
    assertTrue(Lines.isType(b, end + 1, b.length, Lines.ACK));
    assertFalse(Lines.isType(b, end + 1, b.length, Lines.MESSAGE));
    assertEquals(-1, Lines.longAfter(b, end + 1, b.length, Lines.NUMBER));
  }
}
