package io.sobranie.realtime.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSE and poll resume point (PROTOCOL.md: opaque base64url naming every stream's last seq and
 * epoch; an invalid one is {@code bad_request}). {@code DecoderFuzzTest} shows random input never
 * crashes the decoder; this says which input it takes and which it refuses.
 */
class CursorTest {
  /** The longest cursor text the decoder reads (Cursor.MAX_LENGTH): a stream of 50 channels fits well within it. */
  private static final int MAX_LENGTH = 16_384;

  private static String base64url(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertRefused(String text) {
    RealtimeException refused = assertThrows(RealtimeException.class, () -> Cursor.decode(text), text);
    assertEquals(ErrorCode.BAD_REQUEST, refused.code());
  }

  @Test
  @DisplayName("a cursor of several streams decodes to the same positions and encodes to the same text")
  void roundTrip() {
    Map<String, StreamPosition> positions = new LinkedHashMap<>();
    positions.put(Channel.NOTIFICATIONS, new StreamPosition(7, "g1.0"));
    positions.put(Channel.BROADCAST, new StreamPosition(0, "g1.3"));
    positions.put("chat:lobby", new StreamPosition(123_456_789_012L, "g2.1"));
    positions.put("dm:alice:bob", new StreamPosition(1, "x.y-z_9"));
    Cursor cursor = new Cursor(positions);
    String text = cursor.encode();
    Cursor decoded = Cursor.decode(text);
    positions.forEach((stream, position) -> assertEquals(position, decoded.get(stream), stream));
    assertEquals(text, decoded.encode());
  }

  @Test
  @DisplayName("a stream the cursor does not name has no position")
  void uncoveredStream() {
    Cursor decoded = Cursor.decode(new Cursor(Map.of("chat:a", new StreamPosition(3, "e"))).encode());
    assertNull(decoded.get("chat:b"));
    assertNull(decoded.get(Channel.NOTIFICATIONS));
  }

  @Test
  @DisplayName("no cursor, an empty one and an empty encoded cursor all mean no positions")
  void emptyCursors() {
    for (String text : new String[] {null, "", Cursor.empty().encode()}) {
      Cursor decoded = Cursor.decode(text);
      assertNull(decoded.get("chat:a"));
      assertEquals(Cursor.empty().encode(), decoded.encode());
    }
  }

  @Test
  @DisplayName("the text is base64url without padding, safe in a URL and in Last-Event-ID")
  void urlSafe() {
    // Epochs are opaque: with "~~~>>?" the JSON's standard base64 has '+' and '=' (padding).
    Cursor cursor = new Cursor(Map.of("chat:a", new StreamPosition(1, "~~~>>?")));
    String text = cursor.encode();
    String standard = Base64.getEncoder().encodeToString(Base64.getUrlDecoder().decode(text));
    assertTrue(standard.contains("+") && standard.endsWith("="), "precondition: standard base64 would not be URL-safe: " + standard);
    assertTrue(text.matches("[A-Za-z0-9_-]+"), text);
    assertEquals(new StreamPosition(1, "~~~>>?"), Cursor.decode(text).get("chat:a"));
  }

  @Test
  @DisplayName("put replaces a stream's position; putAll takes every position of another cursor")
  void putAndPutAll() {
    Cursor cursor = new Cursor(Map.of("chat:a", new StreamPosition(1, "e"), "chat:b", new StreamPosition(2, "e")));
    cursor.put("chat:a", new StreamPosition(5, "f"));
    cursor.putAll(new Cursor(Map.of("chat:b", new StreamPosition(9, "e"), "chat:c", new StreamPosition(1, "e"))));
    Cursor decoded = Cursor.decode(cursor.encode());
    assertEquals(new StreamPosition(5, "f"), decoded.get("chat:a"));
    assertEquals(new StreamPosition(9, "e"), decoded.get("chat:b"));
    assertEquals(new StreamPosition(1, "e"), decoded.get("chat:c"));
  }

  @Test
  @DisplayName("a cursor keeps its own copy of the positions it was made from")
  void copiesItsPositions() {
    Map<String, StreamPosition> positions = new LinkedHashMap<>();
    positions.put("chat:a", new StreamPosition(1, "e"));
    Cursor cursor = new Cursor(positions);
    positions.put("chat:a", new StreamPosition(2, "e"));
    positions.put("chat:b", new StreamPosition(1, "e"));
    assertEquals(new StreamPosition(1, "e"), cursor.get("chat:a"));
    assertNull(cursor.get("chat:b"));
  }

  @ParameterizedTest(name = "text {0}")
  @DisplayName("text that is not base64url is bad_request")
  @ValueSource(strings = {"***", "a", " ", "eyJjaGF0OmEiOlsxLCJlIl19.", "%7B%7D"})
  void notBase64Url(String text) {
    assertRefused(text);
  }

  @Test
  @DisplayName("a cursor in the standard base64 alphabet is bad_request; the same in base64url decodes")
  void standardAlphabetIsRefused() {
    String json = "{\"chat:a\":[1,\"?~~~\"]}";
    String standard = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    assertTrue(standard.contains("/") && standard.contains("+"), "precondition: " + standard);
    assertRefused(standard);
    assertEquals(new StreamPosition(1, "?~~~"), Cursor.decode(base64url(json)).get("chat:a"));
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("base64url of anything but an object of stream → [seq ≥ 0, epoch] is bad_request")
  @ValueSource(strings = {
      "not json", "[]", "\"chat:a\"", "5", "null",
      "{\"bad name\":[1,\"e\"]}", "{\"nocolon\":[1,\"e\"]}", "{\"\":[1,\"e\"]}",
      "{\"chat:a\":[-1,\"e\"]}", "{\"chat:a\":[1]}", "{\"chat:a\":[]}", "{\"chat:a\":[1,\"e\",2]}",
      "{\"chat:a\":[\"1\",\"e\"]}", "{\"chat:a\":[1,2]}", "{\"chat:a\":5}", "{\"chat:a\":{\"seq\":1,\"epoch\":\"e\"}}",
      "{\"chat:a\":[1,\"e\"],\"chat:b\":[-5,\"e\"]}"})
  void malformedContent(String json) {
    assertRefused(base64url(json));
  }

  @Test
  @DisplayName("a cursor text of the maximum length decodes; a longer one is bad_request however valid its content")
  void sizeBound() {
    String start = "{\"chat:a\":[1,\"e\"]";
    // base64 turns 3 bytes into 4 characters: 12288 bytes of JSON are MAX_LENGTH characters exactly.
    String longest = base64url(start + " ".repeat(MAX_LENGTH / 4 * 3 - start.length() - 1) + "}");
    assertEquals(MAX_LENGTH, longest.length());
    assertEquals(new StreamPosition(1, "e"), Cursor.decode(longest).get("chat:a"));
    String longer = base64url(start + " ".repeat(MAX_LENGTH / 4 * 3 - start.length()) + "}");
    assertTrue(longer.length() > MAX_LENGTH);
    assertRefused(longer);
  }
}
