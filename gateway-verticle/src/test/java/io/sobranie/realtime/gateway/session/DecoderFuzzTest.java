package io.sobranie.realtime.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.BinaryFrames;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Random input to the decoders of outside bytes: each either decodes or refuses with
 * {@code bad_request}; nothing else escapes. Seeded, so a failure replays.
 */
class DecoderFuzzTest {
  private static final long SEED = 20261121L;
  private static final int CASES = 5000;

  private static void assertDecodesOrBadRequest(Runnable decode, String input) {
    try {
      decode.run();
    } catch (RealtimeException e) {
      assertEquals(ErrorCode.BAD_REQUEST, e.code(), () -> "input " + input);
    } catch (RuntimeException e) {
      fail("decoder crashed on " + input, e);
    }
  }

  @Test
  @DisplayName("binary frames of random bytes, and of random headers over valid lengths, decode or are bad_request")
  void binaryFrames() {
    Random random = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      byte[] bytes = new byte[random.nextInt(64)];
      random.nextBytes(bytes);
      Buffer frame = Buffer.buffer(bytes);
      if (i % 2 == 0 && bytes.length > 4) {
        frame.setInt(0, random.nextInt(bytes.length)); // a plausible header length over random content
      }
      Buffer input = frame;
      assertDecodesOrBadRequest(() -> BinaryFrames.parse(input), Base64.getEncoder().encodeToString(input.getBytes()));
    }
    for (String header : new String[] {"{}", "[]", "null", "{\"channel\":5}", "{\"channel\":\"chat:a\",\"ref\":{}}", "{\"channel\":\"bad name\"}"}) {
      byte[] json = header.getBytes(StandardCharsets.UTF_8);
      Buffer frame = Buffer.buffer().appendInt(json.length).appendBytes(json).appendByte((byte) 1);
      assertDecodesOrBadRequest(() -> BinaryFrames.parse(frame), header);
    }
  }

  @Test
  @DisplayName("cursors of random text, random base64 and random JSON decode or are bad_request")
  void cursors() {
    Random random = new Random(SEED);
    String[] json = {"{}", "[]", "{\"chat:a\":[1,\"e\"]}", "{\"chat:a\":[-1,\"e\"]}", "{\"chat:a\":[\"x\",1]}",
        "{\"bad name\":[1,\"e\"]}", "{\"chat:a\":[1]}", "{\"chat:a\":5}", "{\"chat:a\":[1.5,null]}", "\"s\""};
    for (int i = 0; i < CASES; i++) {
      String input = switch (i % 3) {
        case 0 -> randomText(random);
        case 1 -> Base64.getUrlEncoder().withoutPadding().encodeToString(randomText(random).getBytes(StandardCharsets.UTF_8));
        default -> Base64.getUrlEncoder().withoutPadding().encodeToString(json[random.nextInt(json.length)].getBytes(StandardCharsets.UTF_8));
      };
      assertDecodesOrBadRequest(() -> Cursor.decode(input), input);
    }
  }

  static String randomText(Random random) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(40);
    for (int i = 0; i < length; i++) {
      text.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x3000)));
    }
    return text.toString();
  }
}
