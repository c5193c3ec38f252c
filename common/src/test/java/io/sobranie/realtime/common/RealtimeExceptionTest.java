package io.sobranie.realtime.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Failures crossing the event bus become the error the client sees (PROTOCOL.md section 3 error codes). */
class RealtimeExceptionTest {

  @Test
  @DisplayName("a recipient failure \"forbidden not allowed\" becomes forbidden / \"not allowed\"")
  void recipientFailureCarriesCodeAndMessage() {
    RealtimeException e = RealtimeException.from(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 403, "forbidden not allowed"));
    assertEquals(ErrorCode.FORBIDDEN, e.code());
    assertEquals("not allowed", e.getMessage());
  }

  @Test
  void everyErrorCodeSurvivesTheEventBus() {
    for (ErrorCode code : ErrorCode.values()) {
      RealtimeException sent = new RealtimeException(code, "some text here");
      RealtimeException received = RealtimeException.from(
          new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code.httpStatus(), sent.toReplyMessage()));
      assertEquals(code, received.code(), code.wire());
      assertEquals("some text here", received.getMessage(), code.wire());
    }
  }

  @Test
  void noHandlersIsUnavailable() {
    RealtimeException e = RealtimeException.from(new ReplyException(ReplyFailure.NO_HANDLERS, -1, "No handlers for address realtime.chat.message"));
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
    assertFalse(e.getMessage().contains("realtime.chat.message"), "internal addresses are not shown: " + e.getMessage());
  }

  @Test
  void timeoutIsUnavailable() {
    RealtimeException e = RealtimeException.from(new ReplyException(ReplyFailure.TIMEOUT, -1, "Timed out after waiting 30000(ms)"));
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
  }

  @Test
  @DisplayName("any other exception is internal and does not leak its message")
  void otherExceptionIsInternalWithoutItsMessage() {
    RealtimeException e = RealtimeException.from(new IllegalStateException("password=hunter2 at db-7"));
    assertEquals(ErrorCode.INTERNAL, e.code());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertFalse(e.getMessage().contains("db-7"), e.getMessage());
  }

  @Test
  void nullPointerIsInternal() {
    RealtimeException e = RealtimeException.from(new NullPointerException("x is null"));
    assertEquals(ErrorCode.INTERNAL, e.code());
    assertFalse(e.getMessage().contains("x is null"), e.getMessage());
  }

  @Test
  @DisplayName("a recipient failure that is not \"<code> <text>\" is internal and does not leak its message")
  void recipientFailureWithoutAKnownCodeIsInternalWithoutItsMessage() {
    RealtimeException e = RealtimeException.from(
        new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, "java.sql.SQLException: password=hunter2 at db-7"));
    assertEquals(ErrorCode.INTERNAL, e.code());
    assertFalse(e.getMessage().contains("hunter2"), "leaked: " + e.getMessage());
  }

  @Test
  void realtimeExceptionPassesThroughUnchanged() {
    RealtimeException original = RealtimeException.badRequest("'channel' must be a string");
    assertSame(original, RealtimeException.from(original));
  }

  @Test
  void restBodyCarriesWireCodeAndMessage() {
    JsonObject body = RealtimeException.forbidden("not allowed").toRestBody();
    assertEquals(new JsonObject().put("error", new JsonObject().put("code", "forbidden").put("message", "not allowed")), body);
  }

  @Test
  @DisplayName("wire codes are exactly the PROTOCOL.md list")
  void wireCodesAreTheProtocolList() {
    String[] expected = {"unauthorized", "bad_request", "unknown_type", "forbidden", "not_subscribed",
        "not_found", "rate_limited", "too_large", "unavailable", "internal"};
    java.util.Set<String> actual = new java.util.HashSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      actual.add(code.wire());
      assertSame(code, ErrorCode.fromWire(code.wire()));
    }
    assertEquals(java.util.Set.of(expected), actual);
    assertSame(ErrorCode.INTERNAL, ErrorCode.fromWire("nonsense"));
  }
}
