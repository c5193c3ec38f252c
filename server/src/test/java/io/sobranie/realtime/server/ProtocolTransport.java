package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.server.ProtocolClient.CursorPosition;
import io.sobranie.realtime.server.ProtocolClient.Position;
import io.sobranie.realtime.server.ProtocolClient.SeqPosition;
import io.sobranie.realtime.server.ProtocolClient.Subscription;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The three ways a client talks to the server (PROTOCOL.md sections 3-5), each making {@link
 * ProtocolClient}s, and what each can and cannot do, with the reason the suite gives when a rule
 * does not apply.
 */
enum ProtocolTransport {
  WEBSOCKET {
    @Override
    ProtocolClient open(Vertx vertx, int port, String user, List<String> channels, boolean opening) {
      WsProtocolClient client = WsProtocolClient.open(vertx, port, user, opening);
      for (String channel : channels) {
        Subscription answer = client.subscribe(channel);
        assertTrue(answer.isAccepted(), () -> "subscribing to " + channel + ": " + answer.refusal());
      }
      return client;
    }

    @Override
    ProtocolClient resume(Vertx vertx, int port, String user, Position from) {
      return WsProtocolClient.resume(vertx, port, user, (SeqPosition) from);
    }
  },

  SSE {
    @Override
    ProtocolClient open(Vertx vertx, int port, String user, List<String> channels, boolean opening) {
      return SseProtocolClient.open(vertx, port, user, channels, null, opening);
    }

    @Override
    ProtocolClient resume(Vertx vertx, int port, String user, Position from) {
      CursorPosition at = (CursorPosition) from;
      return SseProtocolClient.open(vertx, port, user, at.channels(), at.cursor(), true);
    }
  },

  POLL {
    @Override
    ProtocolClient open(Vertx vertx, int port, String user, List<String> channels, boolean opening) {
      return PollProtocolClient.open(port, user, channels, opening);
    }

    @Override
    ProtocolClient resume(Vertx vertx, int port, String user, Position from) {
      return PollProtocolClient.resume(port, user, (CursorPosition) from);
    }
  };

  static final String NO_UNSUBSCRIBE = "SSE and long-poll follow the channels their stream lists: there is no unsubscribe to refuse";
  static final String NO_EPOCH = "SSE and long-poll carry the epoch inside their opaque cursor: a client cannot state another one";
  static final String NO_FRAMES = "only a WebSocket sends typed frames; REST routes a request by its path";
  static final String POLL_NOT_CONNECTED = "long-polls are not connections (docs/protocol.md section 9): they do not make "
      + "their user online, for presence or for signals";
  static final String POLL_LIVE_ONLY = "live-only events (typing, presence announcements, signals, pushed counts) reach a "
      + "long-poll only while one is held and following, a moment the protocol lets no client observe; the REST actions "
      + "behind them are the ones SSE + REST runs";

  /**
   * A client of {@code user} on the node at {@code port}, following {@code channels} (each must be
   * accepted). With {@code opening}, the opening is taken up to {@code unread_count}; without, only
   * {@code connected} (WebSocket, SSE), so the test reads {@code unread_count} and the offline queue.
   */
  abstract ProtocolClient open(Vertx vertx, int port, String user, List<String> channels, boolean opening);

  /** A new client of {@code user} continuing from where another stood. */
  abstract ProtocolClient resume(Vertx vertx, int port, String user, Position from);

  /** Whether a client on it counts as a connection of its user (presence, signals). */
  boolean isConnection() {
    return this != POLL;
  }

  /** Whether live-only events reach it deterministically (an open connection, not a poll between requests). */
  boolean receivesLiveOnlyEvents() {
    return this != POLL;
  }

  /** Whether it can unsubscribe (and be refused with {@code not_subscribed}). */
  boolean canUnsubscribe() {
    return this == WEBSOCKET;
  }

  /** Whether the client states {@code since} and {@code epoch} itself (else they travel in a cursor). */
  boolean statesEpoch() {
    return this == WEBSOCKET;
  }

  /** Whether the client sends typed frames (else each request has a REST path). */
  boolean sendsFrames() {
    return this == WEBSOCKET;
  }

  /** Whether the reading connection gets the read mark's count as the answer (WebSocket) rather than pushed on its stream. */
  boolean answersReadOnItsConnection() {
    return this == WEBSOCKET;
  }
}
