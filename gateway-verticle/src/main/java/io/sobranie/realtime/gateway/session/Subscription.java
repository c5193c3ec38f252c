package io.sobranie.realtime.gateway.session;

import io.sobranie.realtime.common.store.StreamPosition;
import io.sobranie.realtime.gateway.hub.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One session's subscription to one stream, and the recovery seam (DESIGN.md): it is indexed
 * first and buffers live events; once the hub answers with its position the session replays
 * history, then {@link #goLive} flushes the buffer skipping every seq already sent. No gap, no
 * duplicate. Lives on its shard's event loop.
 */
final class Subscription {
  private final String key;
  private final Session session;
  /** Told the stream's position once; dropped then, with what it holds (the start listener, the client's position). */
  private Consumer<StreamPosition> onJoined;
  /** Sequenced events that arrived while not live; null once live. */
  private List<Delivery> pending = new ArrayList<>();
  /** Their bytes, counted in the session's outbound backlog. */
  private long pendingBytes;
  /** Run once live: answers to repeated subscribes that came while this one was starting. */
  private List<Runnable> onLive = new ArrayList<>();
  private long lastSent;
  private String epoch;
  private boolean cancelled;

  Subscription(String key, Session session, Consumer<StreamPosition> onJoined) {
    this.key = key;
    this.session = session;
    this.onJoined = onJoined;
  }

  String key() {
    return key;
  }

  Session session() {
    return session;
  }

  /** Where this session stands: the last seq it has been sent, and the stream's epoch. */
  StreamPosition position() {
    return new StreamPosition(lastSent, epoch);
  }

  boolean live() {
    return pending == null;
  }

  void cancel() {
    cancelled = true;
    release();
    pending = null;
    onLive = null;
  }

  /** Gives the session's backlog back the bytes held here. */
  private void release() {
    if (pendingBytes != 0) {
      session.buffered(-pendingBytes);
      pendingBytes = 0;
    }
  }

  boolean cancelled() {
    return cancelled;
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
    Consumer<StreamPosition> joined = onJoined;
    onJoined = null;
    if (!cancelled && joined != null) {
      joined.accept(position);
    }
  }

  /** Buffers live events again, while a replay of older ones is written. */
  void pause() {
    if (!cancelled && pending == null) {
      pending = new ArrayList<>();
      onLive = new ArrayList<>();
    }
  }

  /** Marks {@code sent} as delivered to the client and flushes what was buffered after it. */
  void goLive(StreamPosition sent) {
    if (cancelled) {
      return;
    }
    lastSent = sent.seq();
    epoch = sent.epoch();
    List<Delivery> buffered = pending;
    pending = null;
    release();
    for (Delivery delivery : buffered) {
      offer(delivery);
    }
    List<Runnable> waiting = onLive;
    onLive = null;
    waiting.forEach(Runnable::run);
  }

  /** A delivery from the hub (sequenced ones in seq order per stream). */
  void offer(Delivery delivery) {
    if (cancelled) {
      return;
    }
    if (!delivery.sequenced()) {
      if (pending == null && !session.principal().userId().equals(delivery.except())) {
        session.send(this, delivery); // live-only events (typing) are not buffered or replayed
      }
      return;
    }
    if (pending != null) {
      pending.add(delivery);
      pendingBytes += delivery.json().length();
      session.buffered(delivery.json().length());
      return;
    }
    if (!delivery.epoch().equals(epoch)) {
      epoch = delivery.epoch(); // the stream was reset: follow the new one
    } else if (delivery.seq() <= lastSent) {
      return;
    }
    lastSent = delivery.seq();
    session.send(this, delivery);
  }
}
