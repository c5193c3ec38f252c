package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.store.HistoryPage;
import io.sobranie.realtime.common.store.HistoryStore;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StreamPosition;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's fan-out (DESIGN.md, the fan-out rule). Registers the node's single consumer of
 * {@link Addresses#DELIVER}; client subscriptions never touch the cluster. For every channel some
 * local connection is subscribed to, it keeps the last seq handed to the {@link Shard}s and hands
 * them messages in seq order with no gap: an envelope that arrives early is held for
 * {@value #GAP_WAIT_MS} ms and the hole is then filled from the store. Each envelope is encoded
 * once here, and each shard writes those bytes to its connections on its own event loop.
 * All state is touched only on the hub's context.
 */
public final class Hub {
  private static final Logger LOG = Logger.getLogger(Hub.class.getName());
  static final long GAP_WAIT_MS = 50;

  private final HistoryStore history;
  private final Map<String, ChannelState> channels = new HashMap<>();
  private Vertx vertx;
  private Context context;
  private MessageConsumer<Envelope> consumer;

  public Hub(HistoryStore history) {
    this.history = history;
  }

  /** Per channel with local subscribers: which shards want it and how far delivery has got. */
  private static final class ChannelState {
    final Map<Shard, Integer> shards = new HashMap<>();
    /** Joins waiting for the first position read. */
    List<Runnable> waiting = new ArrayList<>();
    final TreeMap<Long, Envelope> held = new TreeMap<>();
    long last;
    String epoch;
    long gapTimer = -1;
    boolean gapFilling;

    boolean ready() {
      return waiting == null;
    }
  }

  /** Starts the deliver consumer on the calling verticle's context. */
  Future<Void> start(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    consumer = vertx.eventBus().consumer(Addresses.DELIVER, message -> onEnvelope(message.body()));
    return consumer.completion();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Counts one more subscription of {@code shard} to {@code channel} and answers, on the shard's
   * context, the position of the last message handed to shards for it: every later message
   * reaches the shard, every earlier one is in the store.
   */
  void join(Shard shard, String channel, Handler<StreamPosition> onShard) {
    context.runOnContext(v -> {
      ChannelState state = channels.get(channel);
      if (state == null) {
        state = new ChannelState();
        channels.put(channel, state);
        initialize(channel, state);
      }
      state.shards.merge(shard, 1, Integer::sum);
      ChannelState joined = state;
      Runnable answer = () -> {
        StreamPosition position = new StreamPosition(joined.last, joined.epoch);
        shard.context().runOnContext(x -> onShard.handle(position));
      };
      if (state.ready()) {
        answer.run();
      } else {
        state.waiting.add(answer);
      }
    });
  }

  /** Undoes one {@link #join} per listed channel. */
  void leave(Shard shard, Collection<String> left) {
    if (left.isEmpty()) {
      return;
    }
    context.runOnContext(v -> {
      for (String channel : left) {
        ChannelState state = channels.get(channel);
        if (state == null) {
          continue;
        }
        Integer remaining = state.shards.merge(shard, -1, Integer::sum);
        if (remaining != null && remaining <= 0) {
          state.shards.remove(shard);
        }
        if (state.shards.isEmpty() && state.ready()) {
          channels.remove(channel);
          if (state.gapTimer >= 0) {
            vertx.cancelTimer(state.gapTimer);
          }
        }
      }
    });
  }

  private void initialize(String channel, ChannelState state) {
    onHub(history.position(channel), position -> {
      state.last = position.seq();
      state.epoch = position.epoch();
      List<Runnable> waiting = state.waiting;
      state.waiting = null;
      waiting.forEach(Runnable::run);
      drain(channel, state);
      if (state.shards.isEmpty()) {
        channels.remove(channel);
      }
    }, failure -> {
      LOG.log(Level.WARNING, "cannot read stream position channel=" + channel + ", retrying", failure);
      vertx.setTimer(500, t -> initialize(channel, state));
    });
  }

  private void onEnvelope(Envelope envelope) {
    ChannelState state = channels.get(envelope.target());
    if (state == null) {
      return; // no local subscriber
    }
    switch (envelope.kind()) {
      case MESSAGE -> onMessage(envelope, state);
      case TYPING -> dispatch(envelope.target(), state, envelope, Buffer.buffer(Frames.typing(envelope)));
    }
  }

  private void onMessage(Envelope envelope, ChannelState state) {
    if (state.ready() && !envelope.epoch().equals(state.epoch) && envelope.seq() > 0) {
      // The stream was reset (a new epoch): start over, filling from the store if the start was missed.
      state.epoch = envelope.epoch();
      state.last = 0;
      state.held.clear();
    }
    if (state.ready() && envelope.seq() <= state.last) {
      return; // already delivered (e.g. by a gap fill)
    }
    state.held.put(envelope.seq(), envelope);
    if (state.ready()) {
      drain(envelope.target(), state);
    }
  }

  /** Delivers held envelopes that continue the sequence; waits for a hole to fill, then reads the store. */
  private void drain(String channel, ChannelState state) {
    while (!state.held.isEmpty()) {
      Map.Entry<Long, Envelope> first = state.held.firstEntry();
      if (!first.getValue().epoch().equals(state.epoch) || first.getKey() <= state.last) {
        state.held.pollFirstEntry(); // stale: older epoch or already delivered
        continue;
      }
      if (first.getKey() != state.last + 1) {
        break;
      }
      state.held.pollFirstEntry();
      deliver(channel, state, first.getValue());
    }
    if (state.held.isEmpty()) {
      if (state.gapTimer >= 0) {
        vertx.cancelTimer(state.gapTimer);
        state.gapTimer = -1;
      }
    } else if (state.gapTimer < 0 && !state.gapFilling) {
      state.gapTimer = vertx.setTimer(GAP_WAIT_MS, t -> {
        state.gapTimer = -1;
        fillGap(channel, state);
      });
    }
  }

  private void fillGap(String channel, ChannelState state) {
    if (state.held.isEmpty() || channels.get(channel) != state) {
      return;
    }
    long upTo = state.held.firstKey() - 1;
    long from = state.last;
    String epoch = state.epoch;
    state.gapFilling = true;
    onHub(history.after(channel, from, (int) Math.min(upTo - from, 10_000)), page -> {
      state.gapFilling = false;
      if (epoch.equals(state.epoch) && epoch.equals(page.position().epoch())) {
        fillFrom(channel, state, page, upTo);
      }
      if (state.last < upTo && epoch.equals(state.epoch)) {
        LOG.warning("messages " + (state.last + 1) + ".." + upTo + " of channel=" + channel
            + " are no longer in the store; skipping them");
        state.last = upTo;
      }
      drain(channel, state);
    }, failure -> {
      state.gapFilling = false;
      LOG.log(Level.WARNING, "gap fill failed channel=" + channel + ", retrying", failure);
      drain(channel, state);
    });
  }

  private void fillFrom(String channel, ChannelState state, HistoryPage page, long upTo) {
    for (StoredMessage m : page.messages()) {
      if (m.seq() == state.last + 1 && m.seq() <= upTo) {
        deliver(channel, state, new Envelope(Envelope.Kind.MESSAGE, channel, m.seq(), state.epoch, m.id(), m.from(),
            m.ts(), m.kind(), m.data(), null));
      }
    }
  }

  private void deliver(String channel, ChannelState state, Envelope envelope) {
    state.last = envelope.seq();
    dispatch(channel, state, envelope, Buffer.buffer(Frames.message(envelope)));
  }

  private void dispatch(String channel, ChannelState state, Envelope envelope, Buffer frame) {
    for (Shard shard : state.shards.keySet()) {
      shard.context().runOnContext(v -> shard.deliver(channel, envelope, frame));
    }
  }

  /** Runs the handlers of a store future on the hub's context, whatever thread completes it. */
  private <T> void onHub(Future<T> future, Handler<T> onSuccess, Handler<Throwable> onFailure) {
    future.onComplete(result -> context.runOnContext(v -> {
      if (result.succeeded()) {
        onSuccess.handle(result.result());
      } else {
        onFailure.handle(result.cause());
      }
    }));
  }
}
