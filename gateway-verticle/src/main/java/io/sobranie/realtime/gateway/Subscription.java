package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.store.StreamPosition;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One connection's subscription to one channel, and the recovery seam (DESIGN.md): it is indexed
 * first and buffers live messages; once the hub answers with its position the connection replays
 * history, then {@link #goLive} flushes the buffer skipping every seq already sent. No gap, no
 * duplicate. Lives on its shard's event loop.
 */
final class Subscription {
  private record Pending(Envelope envelope, Buffer frame) {
  }

  private final String channel;
  private final WebSocketConnection connection;
  private final Consumer<StreamPosition> onJoined;
  /** Live messages that arrived before {@link #goLive}; null once live. */
  private List<Pending> pending = new ArrayList<>();
  /** Run once live: answers to repeated subscribes that came while this one was starting. */
  private List<Runnable> onLive = new ArrayList<>();
  private long lastSent;
  private String epoch;
  private boolean cancelled;

  Subscription(String channel, WebSocketConnection connection, Consumer<StreamPosition> onJoined) {
    this.channel = channel;
    this.connection = connection;
    this.onJoined = onJoined;
  }

  String channel() {
    return channel;
  }

  WebSocketConnection connection() {
    return connection;
  }

  /** The last seq this connection has been sent (its own resume point). */
  long lastSent() {
    return lastSent;
  }

  String epoch() {
    return epoch;
  }

  boolean live() {
    return pending == null;
  }

  void cancel() {
    cancelled = true;
    pending = null;
    onLive = null;
  }

  /** Runs {@code action} once this subscription is live (now, if it is). */
  void whenLive(Runnable action) {
    if (live()) {
      action.run();
    } else if (!cancelled) {
      onLive.add(action);
    }
  }

  /** The hub has registered the subscription: everything after {@code position} will be offered. */
  void start(StreamPosition position) {
    if (!cancelled) {
      onJoined.accept(position);
    }
  }

  /** Marks {@code sent} as delivered to the client and flushes what was buffered after it. */
  void goLive(StreamPosition sent) {
    if (cancelled) {
      return;
    }
    lastSent = sent.seq();
    epoch = sent.epoch();
    List<Pending> buffered = pending;
    pending = null;
    for (Pending p : buffered) {
      offer(p.envelope, p.frame);
    }
    List<Runnable> waiting = onLive;
    onLive = null;
    waiting.forEach(Runnable::run);
  }

  /** An envelope from the hub (in seq order per channel). */
  void offer(Envelope envelope, Buffer frame) {
    if (cancelled) {
      return;
    }
    if (pending != null) {
      if (envelope.kind() == Envelope.Kind.MESSAGE) {
        pending.add(new Pending(envelope, frame));
      }
      return; // live-only events (typing) are not replayed
    }
    switch (envelope.kind()) {
      case MESSAGE -> {
        if (!envelope.epoch().equals(epoch)) {
          epoch = envelope.epoch(); // the stream was reset: follow the new one
        } else if (envelope.seq() <= lastSent) {
          return;
        }
        lastSent = envelope.seq();
        connection.send(frame);
      }
      case TYPING -> {
        if (!connection.principal().userId().equals(envelope.excludeUser())) {
          connection.send(frame);
        }
      }
    }
  }
}
