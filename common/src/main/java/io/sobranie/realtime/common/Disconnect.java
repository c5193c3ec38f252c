package io.sobranie.realtime.common;

/**
 * Every way the server ends a client session, in one table (PROTOCOL.md sections 3-5): the
 * WebSocket close code and reason, whether the client should come back, and what the HTTP
 * transports do instead (SSE ends its stream after an {@code error} or {@code reconnect} event,
 * a held poll is answered). Transports say goodbye in their own form; the decision is made here.
 */
public enum Disconnect {
  /** Bad or missing credentials at the upgrade: no other frame before the close. */
  UNAUTHORIZED(1008, "unauthorized", true, SseFarewell.NONE),
  /** The token the session was opened with expired: reconnect with a fresh one. */
  TOKEN_EXPIRED(1008, "token_expired", true, SseFarewell.ERROR),
  /** Far past a rate limit within a minute. */
  FLOODING(1008, "rate limit exceeded", false, SseFarewell.NONE),
  /** A message over {@code MAX_FRAME_BYTES}. */
  TOO_LARGE(1009, "message too big", true, SseFarewell.NONE),
  /** A WebSocket frame that breaks RFC 6455 (unmasked, a bad opcode or fragment order, …): the input cannot be read further. */
  PROTOCOL_ERROR(1002, "protocol error", true, SseFarewell.NONE),
  /** A text message that is not UTF-8. */
  INVALID_TEXT(1007, "invalid UTF-8", true, SseFarewell.NONE),
  /** Nothing received for two heartbeats. */
  IDLE(1001, "idle", true, SseFarewell.NONE),
  /** Graceful shutdown: a {@code reconnect {afterMs}} comes first. */
  SHUTTING_DOWN(1001, "server shutting down", true, SseFarewell.RECONNECT),
  /** Over the outbound budget for {@code SLOW_CONSUMER_MS}. */
  SLOW_CONSUMER(1013, "slow consumer", true, SseFarewell.NONE),
  /** Past {@code OUTBOUND_LIMIT_BYTES} unsent. */
  OUTBOUND_LIMIT(1013, "outbound limit exceeded", true, SseFarewell.NONE),
  /** A service ended every connection of the user (ban, logout): the reason is the service's; do not reconnect. */
  BY_SERVICE(4000, "disconnected", false, SseFarewell.RECONNECT);

  /** What an SSE stream says before it ends. */
  public enum SseFarewell {
    /** Nothing: the stream just ends. */
    NONE,
    /** {@code event: error} with {@code unauthorized} and the reason as its message. */
    ERROR,
    /** {@code event: reconnect} with {@code afterMs} (and a service's reason). */
    RECONNECT
  }

  private final int closeCode;
  private final String reason;
  private final boolean reconnect;
  private final SseFarewell sseFarewell;

  Disconnect(int closeCode, String reason, boolean reconnect, SseFarewell sseFarewell) {
    this.closeCode = closeCode;
    this.reason = reason;
    this.reconnect = reconnect;
    this.sseFarewell = sseFarewell;
  }

  /** The WebSocket close status code. */
  public int closeCode() {
    return closeCode;
  }

  /** The WebSocket close reason (a service's own reason replaces it for {@link #BY_SERVICE}). */
  public String reason() {
    return reason;
  }

  /** Whether the client is expected to come back (with backoff, or after the {@code reconnect} advice). */
  public boolean reconnect() {
    return reconnect;
  }

  public SseFarewell sseFarewell() {
    return sseFarewell;
  }
}
