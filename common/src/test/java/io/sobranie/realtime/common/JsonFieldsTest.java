package io.sobranie.realtime.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** PROTOCOL.md: a field of the wrong JSON type is treated exactly like a missing field (bad_request). */
class JsonFieldsTest {

  private static void badRequest(Executable read) {
    RealtimeException e = assertThrows(RealtimeException.class, read);
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }

  @Test
  void requireStringReadsAString() {
    assertEquals("x", JsonFields.requireString(new JsonObject().put("k", "x"), "k"));
  }

  @Test
  void requireStringOfANumberIsBadRequest() {
    badRequest(() -> JsonFields.requireString(new JsonObject().put("k", 1), "k"));
  }

  @Test
  void requireStringOfAMissingFieldIsBadRequest() {
    badRequest(() -> JsonFields.requireString(new JsonObject(), "k"));
  }

  @Test
  void requireStringOfNullIsBadRequest() {
    badRequest(() -> JsonFields.requireString(new JsonObject().putNull("k"), "k"));
  }

  @Test
  void requireStringErrorNamesTheField() {
    RealtimeException e = assertThrows(RealtimeException.class,
        () -> JsonFields.requireString(new JsonObject(), "channel"));
    assertTrue(e.getMessage().contains("channel"), e.getMessage());
  }

  @Test
  void optionalStringOfTheWrongTypeIsTreatedAsMissing() {
    assertNull(JsonFields.optionalString(new JsonObject().put("k", true), "k"));
    assertNull(JsonFields.optionalString(new JsonObject(), "k"));
  }

  @Test
  void optionalStrictStringOfTheWrongTypeIsBadRequest() {
    badRequest(() -> JsonFields.optionalStrictString(new JsonObject().put("k", 5), "k"));
    badRequest(() -> JsonFields.optionalStrictString(new JsonObject().put("k", new JsonArray()), "k"));
  }

  @Test
  void optionalStrictStringAbsentOrNullIsNull() {
    assertNull(JsonFields.optionalStrictString(new JsonObject(), "k"));
    assertNull(JsonFields.optionalStrictString(new JsonObject().putNull("k"), "k"));
    assertEquals("v", JsonFields.optionalStrictString(new JsonObject().put("k", "v"), "k"));
  }

  @Test
  void optionalNonNegativeLongReadsWholeNumbers() {
    assertEquals(3L, JsonFields.optionalNonNegativeLong(new JsonObject().put("since", 3), "since"));
    assertEquals(0L, JsonFields.optionalNonNegativeLong(new JsonObject().put("since", 0L), "since"));
    assertEquals(7L, JsonFields.optionalNonNegativeLong(new JsonObject("{\"since\":7.0}"), "since"));
    assertNull(JsonFields.optionalNonNegativeLong(new JsonObject(), "since"));
  }

  @Test
  void optionalNonNegativeLongOfAStringIsBadRequest() {
    badRequest(() -> JsonFields.optionalNonNegativeLong(new JsonObject().put("since", "5"), "since"));
  }

  @Test
  void optionalNonNegativeLongOfANegativeNumberIsBadRequest() {
    badRequest(() -> JsonFields.optionalNonNegativeLong(new JsonObject().put("since", -1), "since"));
  }

  @Test
  void optionalNonNegativeLongOfAFractionIsBadRequest() {
    badRequest(() -> JsonFields.optionalNonNegativeLong(new JsonObject("{\"since\":1.5}"), "since"));
  }

  @Test
  void optionalNonNegativeLongOfAHugeNumberIsBadRequest() {
    badRequest(() -> JsonFields.optionalNonNegativeLong(new JsonObject("{\"since\":1e300}"), "since"));
    badRequest(() -> JsonFields.optionalNonNegativeLong(new JsonObject("{\"since\":123456789012345678901234567890}"), "since"));
  }

  @Test
  void requireBooleanReadsBooleans() {
    assertEquals(true, JsonFields.requireBoolean(new JsonObject().put("active", true), "active"));
    assertEquals(false, JsonFields.requireBoolean(new JsonObject().put("active", false), "active"));
  }

  @Test
  void requireBooleanOfAStringIsBadRequest() {
    badRequest(() -> JsonFields.requireBoolean(new JsonObject().put("active", "true"), "active"));
  }

  @Test
  void requireBooleanOfAMissingFieldIsBadRequest() {
    badRequest(() -> JsonFields.requireBoolean(new JsonObject(), "active"));
  }

  @Test
  void optionalArrayOfTheWrongTypeIsTreatedAsMissing() {
    assertNull(JsonFields.optionalArray(new JsonObject().put("users", "alice"), "users"));
    assertEquals(new JsonArray().add("a"), JsonFields.optionalArray(new JsonObject().put("users", new JsonArray().add("a")), "users"));
  }
}
