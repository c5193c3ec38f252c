package io.sobranie.realtime.common;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * A request that failed for a reason the client should hear about: carries the wire
 * {@link ErrorCode} and a human-readable message. Crosses the event bus as a
 * {@link ReplyException} whose message is {@code "<code> <text>"}.
 */
public class RealtimeException extends RuntimeException {
  private final ErrorCode code;
  private final long retryAfterMs;

  public RealtimeException(ErrorCode code, String message) {
    this(code, message, 0);
  }

  /** @param retryAfterMs for {@link ErrorCode#RATE_LIMITED}: when trying again may succeed (0 = unsaid) */
  public RealtimeException(ErrorCode code, String message, long retryAfterMs) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  public static RealtimeException rateLimited(String message, long retryAfterMs) {
    return new RealtimeException(ErrorCode.RATE_LIMITED, message, retryAfterMs);
  }

  public long retryAfterMs() {
    return retryAfterMs;
  }

  public ErrorCode code() {
    return code;
  }

  public static RealtimeException badRequest(String message) {
    return new RealtimeException(ErrorCode.BAD_REQUEST, message);
  }

  public static RealtimeException forbidden(String message) {
    return new RealtimeException(ErrorCode.FORBIDDEN, message);
  }

  /** The REST error body: {@code {"error":{"code":…,"message":…}}}. */
  public JsonObject toRestBody() {
    JsonObject error = new JsonObject().put("code", code.wire()).put("message", getMessage());
    if (retryAfterMs > 0) {
      error.put("retryAfterMs", retryAfterMs);
    }
    return new JsonObject().put("error", error);
  }

  /** Encodes this error for {@code message.fail(…)}: failure code = HTTP status, message = "code text". */
  public String toReplyMessage() {
    return code.wire() + " " + getMessage();
  }

  /**
   * Turns any failure (a reply from another verticle, a timeout, a bug) into the error the
   * client sees. Unknown exceptions become {@code internal} without their details.
   */
  public static RealtimeException from(Throwable failure) {
    if (failure instanceof RealtimeException e) {
      return e;
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.getMessage() != null) {
        return fromReplyMessage(reply.getMessage());
      }
      return unavailable();
    }
    return new RealtimeException(ErrorCode.INTERNAL, "internal error");
  }

  /** Reads back {@link #toReplyMessage()}; a text that is not one of ours becomes {@code internal}, its text kept out. */
  public static RealtimeException fromReplyMessage(String text) {
    int space = text.indexOf(' ');
    String wire = space < 0 ? text : text.substring(0, space);
    ErrorCode code = ErrorCode.fromWire(wire);
    if (!code.wire().equals(wire)) {
      return new RealtimeException(ErrorCode.INTERNAL, "internal error");
    }
    return new RealtimeException(code, space < 0 ? code.wire() : text.substring(space + 1));
  }

  /** A service that did not answer (none registered, timed out, unreachable): the client may try again. */
  public static RealtimeException unavailable() {
    return new RealtimeException(ErrorCode.UNAVAILABLE, "service temporarily unavailable, try again");
  }
}
