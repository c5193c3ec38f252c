package io.sobranie.realtime.common;

/**
 * The error codes of the wire protocol, with the HTTP status each maps to.
 * The wire code is explicit: it is a contract with clients, never derived from the enum order.
 */
public enum ErrorCode {
  UNAUTHORIZED("unauthorized", 401),
  BAD_REQUEST("bad_request", 400),
  UNKNOWN_TYPE("unknown_type", 400),
  FORBIDDEN("forbidden", 403),
  NOT_SUBSCRIBED("not_subscribed", 400),
  NOT_FOUND("not_found", 404),
  RATE_LIMITED("rate_limited", 429),
  TOO_LARGE("too_large", 413),
  UNAVAILABLE("unavailable", 503),
  INTERNAL("internal", 500);

  private final String wire;
  private final int httpStatus;

  ErrorCode(String wire, int httpStatus) {
    this.wire = wire;
    this.httpStatus = httpStatus;
  }

  /** The code as it appears in `error` frames and REST error bodies. */
  public String wire() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The code with this wire name, or {@link #INTERNAL} for anything unknown. */
  public static ErrorCode fromWire(String wire) {
    for (ErrorCode code : values()) {
      if (code.wire.equals(wire)) {
        return code;
      }
    }
    return INTERNAL;
  }
}
