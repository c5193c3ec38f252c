package io.sobranie.realtime.gateway.http;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;

/**
 * A request without acceptable credentials. Every client hears the same {@link #MESSAGE}
 * (PROTOCOL.md section 1: why a token failed is not the client's business, and the details can
 * leak configuration); {@link #reason()} is a word of our own vocabulary for the connection log.
 */
public final class Unauthenticated extends RealtimeException {
  public static final String MESSAGE = "a valid token or ticket is required";

  private final String reason;

  public Unauthenticated(String reason) {
    super(ErrorCode.UNAUTHORIZED, MESSAGE);
    this.reason = reason;
  }

  /** Why, for the log: {@code no-token}, {@code not-bearer}, {@code bad-ticket}, {@code expired}, or a verifier reason. */
  public String reason() {
    return reason;
  }

  /** The log reason of any authentication failure (unexpected ones say so without their text). */
  public static String reasonOf(Throwable failure) {
    return failure instanceof Unauthenticated u ? u.reason() : "error";
  }
}
