package io.sobranie.realtime.client;

/**
 * A failure with the protocol's error {@code code} (docs/protocol.md: {@code unauthorized},
 * {@code forbidden}, {@code rate_limited}, …) or one of this client's own codes
 * ({@link #QUEUE_FULL}, {@link #CLOSED}, {@link #DISCONNECTED}, {@link #TIMEOUT},
 * {@link #NETWORK}, {@link #BAD_FRAME}). The code is a string, not an enum, so codes a newer server adds still arrive
 * as they are.
 */
public final class RealtimeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  // The server's codes (docs/protocol.md section 3, "Error codes").
  public static final String UNAUTHORIZED = "unauthorized";
  public static final String BAD_REQUEST = "bad_request";
  public static final String UNKNOWN_TYPE = "unknown_type";
  public static final String FORBIDDEN = "forbidden";
  public static final String NOT_SUBSCRIBED = "not_subscribed";
  public static final String NOT_FOUND = "not_found";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String TOO_LARGE = "too_large";
  public static final String UNAVAILABLE = "unavailable";
  public static final String INTERNAL = "internal";

  // This client's codes.
  /** {@code publish} while the outbound queue holds {@code queueLimit} unacknowledged messages. */
  public static final String QUEUE_FULL = "queue_full";
  /** The client was closed before the request completed. */
  public static final String CLOSED = "closed";
  /** Not connected, or the connection was lost before the reply (requests that are not queued). */
  public static final String DISCONNECTED = "disconnected";
  /** No answer in time. */
  public static final String TIMEOUT = "timeout";
  /** The server could not be reached, or the connection broke. */
  public static final String NETWORK = "network";
  /** The server sent something this client cannot read. */
  public static final String BAD_FRAME = "bad_frame";

  private final String code;
  private final int httpStatus;
  private final long retryAfterMs;
  private final String ref;
  private final String channel;

  public RealtimeException(String code, String message) {
    this(code, message, 0, 0, null, null, null);
  }

  RealtimeException(String code, String message, int httpStatus, long retryAfterMs, String ref, String channel,
                    Throwable cause) {
    super(message == null ? code : message, cause);
    this.code = code;
    this.httpStatus = httpStatus;
    this.retryAfterMs = retryAfterMs;
    this.ref = ref;
    this.channel = channel;
  }

  /** The wire code, e.g. {@code forbidden}, or one of this client's codes. */
  public String code() {
    return code;
  }

  /** The HTTP status of a REST answer, or 0 when the error did not come over REST. */
  public int httpStatus() {
    return httpStatus;
  }

  /** For {@code rate_limited}: how long to wait before trying again; else 0. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  /** The {@code ref} of the request this error answers, or null. */
  public String ref() {
    return ref;
  }

  /** The channel the failed request was about, when known, or null. */
  public String channel() {
    return channel;
  }

  RealtimeException withChannel(String channel) {
    return new RealtimeException(code, getMessage(), httpStatus, retryAfterMs, ref, channel, getCause());
  }

  @Override
  public String toString() {
    return "RealtimeException[" + code + (channel == null ? "" : " " + channel) + "]: " + getMessage();
  }
}
