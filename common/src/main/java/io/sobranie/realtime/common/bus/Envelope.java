package io.sobranie.realtime.common.bus;

import io.vertx.core.json.Json;

/**
 * What is published on {@link io.sobranie.realtime.common.Addresses#DELIVER} for every gateway's
 * Hub: a small record, not a finished client frame, so each node encodes the frame once. Built
 * with the factory of its kind ({@link #message}, {@link #typing}, …), which says what each field
 * holds for it.
 *
 * @param kind        what it is and so how it is addressed
 * @param target      the channel (messages, typing, presence, binary) or the user id (the other kinds)
 * @param seq         the stream seq of a {@link Kind#MESSAGE} or {@link Kind#NOTIFICATION}, else 0
 * @param epoch       the stream epoch of a {@link Kind#MESSAGE} or {@link Kind#NOTIFICATION}, else null
 * @param id          the server id of the event, or null
 * @param from        the publisher (user id or {@code service:{sub}}), or null
 * @param ts          when it happened, epoch milliseconds
 * @param messageKind the service-given kind of a message or notification, or null
 * @param data        the payload as encoded JSON text (see each factory), or null
 * @param except      who must not receive it, or null: for channel events a user (the typist's
 *                    connections), for user events a connection id (the one answered directly)
 */
public record Envelope(Kind kind, String target, long seq, String epoch, String id, String from, long ts,
                       String messageKind, String data, String except) {

  /** A stored channel message: {@code data} is its JSON, {@code messageKind} a service's kind or null. */
  public static Envelope message(String channel, long seq, String epoch, String id, String from, long ts, String messageKind,
                                 String data) {
    return new Envelope(Kind.MESSAGE, channel, seq, epoch, id, from, ts, messageKind, data, null);
  }

  /** A typing indicator, for every subscriber of the channel but the typist's connections. */
  public static Envelope typing(String channel, String from, String typist, boolean active, long ts) {
    return new Envelope(Kind.TYPING, channel, 0, null, null, from, ts, null, String.valueOf(active), typist);
  }

  /** A stored notification of {@code userId}: {@code data} is its JSON. */
  public static Envelope notification(String userId, long seq, String epoch, String id, long ts, String kind, String data) {
    return new Envelope(Kind.NOTIFICATION, userId, seq, epoch, id, null, ts, kind, data, null);
  }

  /**
   * The user's unread count changed, for every connection of the user but {@code exceptConnection}
   * (nullable: the one whose {@code read} is answered with the count directly).
   */
  public static Envelope unreadCount(String userId, long count, long ts, String exceptConnection) {
    return new Envelope(Kind.UNREAD_COUNT, userId, 0, null, null, null, ts, null, String.valueOf(count), exceptConnection);
  }

  /**
   * An order to close every connection of {@code userId} on every node (WebSocket close 4000 with
   * {@code reason}, SSE {@code reconnect} with it), from the service {@code from}.
   */
  public static Envelope disconnect(String userId, String from, String reason, long ts) {
    return new Envelope(Kind.DISCONNECT, userId, 0, null, null, from, ts, null, Json.encode(reason), null);
  }

  /** A presence change, pushed on {@code channel}: {@code frame} is the whole client frame. */
  public static Envelope presence(String channel, String userId, long ts, String frame) {
    return new Envelope(Kind.PRESENCE, channel, 0, null, null, userId, ts, null, frame, null);
  }

  /** A WebRTC signal for every connection of {@code to}: {@code frame} is the whole client frame. */
  public static Envelope signal(String to, String from, long ts, String frame) {
    return new Envelope(Kind.SIGNAL, to, 0, null, null, from, ts, null, frame, null);
  }

  /** A binary relay on {@code channel}, live only: {@code base64} is the outgoing frame's bytes. */
  public static Envelope binary(String channel, String id, String from, long ts, String base64) {
    return new Envelope(Kind.BINARY, channel, 0, null, id, from, ts, null, base64, null);
  }

  /** Kinds with explicit wire codes (the codec writes the code, never the ordinal). */
  public boolean isSequenced() {
    return kind == Kind.MESSAGE || kind == Kind.NOTIFICATION;
  }

  /** Kinds addressed to a user's connections rather than to a channel's subscribers. */
  public boolean isForUser() {
    return kind == Kind.UNREAD_COUNT || kind == Kind.DISCONNECT || kind == Kind.SIGNAL;
  }

  public enum Kind {
    /** A stored channel message with a seq. */
    MESSAGE(1),
    /** A typing indicator on a channel: {@code data} is the {@code active} boolean. */
    TYPING(2),
    /** A stored notification with the user's seq. */
    NOTIFICATION(3),
    /** The user's unread count changed: {@code data} is the count. */
    UNREAD_COUNT(4),
    /** Close every connection of the user: {@code data} is the reason as a JSON string. */
    DISCONNECT(5),
    /** A presence change on a channel ({@code presence:{id}} or a room): {@code data} is the whole frame. */
    PRESENCE(6),
    /** A WebRTC signal for every connection of the user: {@code data} is the whole frame. */
    SIGNAL(7),
    /** A binary relay on a channel, live only: {@code data} is the outgoing frame's bytes in base64. */
    BINARY(8);

    public final int code;

    Kind(int code) {
      this.code = code;
    }

    static Kind of(int code) {
      for (Kind kind : values()) {
        if (kind.code == code) {
          return kind;
        }
      }
      throw new IllegalArgumentException("unknown envelope kind " + code);
    }
  }
}
