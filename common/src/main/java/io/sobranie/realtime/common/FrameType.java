package io.sobranie.realtime.common;

/** The {@code type} values of protocol frames (PROTOCOL.md section 3). */
public final class FrameType {
  private FrameType() {
  }

  // client → server
  public static final String SUBSCRIBE = "subscribe";
  public static final String UNSUBSCRIBE = "unsubscribe";
  public static final String MESSAGE = "message";
  public static final String TYPING = "typing";
  public static final String PRESENCE = "presence";
  public static final String READ = "read";
  public static final String SIGNAL = "signal";
  public static final String PING = "ping";

  // server → client
  public static final String CONNECTED = "connected";
  public static final String SUBSCRIBED = "subscribed";
  public static final String UNSUBSCRIBED = "unsubscribed";
  public static final String ACK = "ack";
  public static final String PONG = "pong";
  public static final String ERROR = "error";
  public static final String PRESENCE_STATE = "presence_state";
  public static final String NOTIFICATION = "notification";
  public static final String UNREAD_COUNT = "unread_count";
  public static final String RECONNECT = "reconnect";
}
