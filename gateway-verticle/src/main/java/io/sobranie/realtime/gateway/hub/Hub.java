package io.sobranie.realtime.gateway.hub;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.bus.NodeStats;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.StreamPosition;
import io.sobranie.realtime.gateway.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's fan-out (DESIGN.md, the fan-out rule). Registers the node's single consumer of
 * {@link Addresses#DELIVER}; client subscriptions never touch the cluster. For every stream
 * (a channel, or a user's notifications) some local connection follows, it keeps the last seq
 * handed to the {@link Outlet}s and hands them events in seq order with no gap: an envelope that
 * arrives early is held for {@value #GAP_WAIT_MS} ms and the hole is then filled from the store.
 * Each envelope is encoded once here; each shard writes those bytes to its connections on its
 * own event loop. All state is touched only on the hub's context.
 */
public final class Hub {
  /**
   * Where the hub hands deliveries: one per event loop (the sessions' local index), called on its
   * own {@link #context()}.
   */
  public interface Outlet {
    Context context();

    /** Every local follower of {@code key} gets the delivery (in seq order per stream). */
    void deliver(String key, Delivery delivery);

    /** Every local session of {@code userId} gets the user event. */
    void deliverToUser(String userId, Delivery delivery);
  }

  private static final Logger LOG = Logger.getLogger(Hub.class.getName());
  public static final long GAP_WAIT_MS = 50;

  private final Streams streams;
  private final GatewayMetrics metrics;
  private final Map<String, StreamState> states = new HashMap<>();
  /** The channels among {@link #states} (not notification streams, not broadcast): what the admin page ranks, without walking one stream per user. */
  private final Map<String, StreamState> channelStates = new HashMap<>();
  private final List<Outlet> shards = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private Context context;
  private MessageConsumer<Envelope> consumer;

  public Hub(Streams streams, GatewayMetrics metrics) {
    this.streams = streams;
    this.metrics = metrics;
  }

  /** How many streams (channels, notification streams) local connections follow now. */
  public int followedStreams() {
    return states.size();
  }

  /**
   * What local connections follow, for the admin page: how many streams, and the {@code limit}
   * channels with the most local followers (most first). Read on the hub's context, so it costs
   * one pass over the streams (a bounded heap, no sort of the whole map) and nothing per message.
   */
  public Future<Followed> followed(int limit) {
    Promise<Followed> answer = Promise.promise();
    context.runOnContext(v -> answer.complete(new Followed(states.size(), topChannels(limit))));
    return answer.future();
  }

  /** @param topChannels channels (not notification streams, not {@code broadcast}) by local followers, most first */
  public record Followed(int streams, List<NodeStats.ChannelCount> topChannels) {
  }

  private List<NodeStats.ChannelCount> topChannels(int limit) {
    PriorityQueue<Map.Entry<String, StreamState>> top = new PriorityQueue<>(
        Comparator.comparingInt((Map.Entry<String, StreamState> e) -> e.getValue().followers).thenComparing(Map.Entry::getKey,
            Comparator.reverseOrder()));
    for (Map.Entry<String, StreamState> entry : channelStates.entrySet()) {
      if (entry.getValue().followers <= 0) {
        continue;
      }
      top.add(entry);
      if (top.size() > limit) {
        top.poll();
      }
    }
    List<NodeStats.ChannelCount> result = new ArrayList<>();
    while (!top.isEmpty()) {
      Map.Entry<String, StreamState> entry = top.poll();
      result.add(0, new NodeStats.ChannelCount(entry.getKey(), entry.getValue().followers));
    }
    return result;
  }

  /** Per stream with local followers: which shards want it and how far delivery has got. */
  private static final class StreamState {
    final ShardCounts shards = new ShardCounts();
    /** Local followers over every shard (the sum of {@link #shards}' counts). */
    int followers;
    /** Joins waiting for the first position read; null once ready. */
    List<Runnable> waiting = new ArrayList<>();
    /** Envelopes ahead of the sequence (by seq), waiting for the hole before them; null until one comes. */
    TreeMap<Long, Envelope> held;
    long last;
    String epoch;
    long gapTimer = -1;
    boolean gapFilling;
    /** Envelopes of another epoch, parked while the store is asked which epoch is current; null when not asking. */
    List<Envelope> otherEpoch;

    boolean ready() {
      return waiting == null;
    }

    boolean nothingHeld() {
      return held == null || held.isEmpty();
    }

    TreeMap<Long, Envelope> held() {
      if (held == null) {
        held = new TreeMap<>();
      }
      return held;
    }
  }

  /** Starts the deliver consumer on the calling verticle's context. */
  public Future<Void> start(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    consumer = vertx.eventBus().consumer(Addresses.DELIVER, message -> onEnvelope(message.body()));
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Outlets receive user events (unread counts, disconnects) whatever they follow. */
  public void addOutlet(Outlet shard) {
    shards.add(shard);
  }

  public void removeOutlet(Outlet shard) {
    shards.remove(shard);
  }

  /**
   * Counts one more follower of {@code key} on {@code shard} and answers, on the shard's context,
   * the position of the last event handed to shards for it: every later event reaches the
   * shard, every earlier one is in the store.
   */
  public void join(Outlet shard, String key, Handler<StreamPosition> onJoined) {
    context.runOnContext(v -> {
      StreamState state = states.get(key);
      if (state == null) {
        state = new StreamState();
        track(key, state);
        initialize(key, state);
      }
      state.shards.add(shard);
      state.followers++;
      StreamState joined = state;
      Runnable answer = () -> {
        StreamPosition position = new StreamPosition(joined.last, joined.epoch);
        shard.context().runOnContext(x -> onJoined.handle(position));
      };
      if (state.ready()) {
        answer.run();
      } else {
        state.waiting.add(answer);
      }
    });
  }

  /** Undoes one {@link #join} per listed key. */
  public void leave(Outlet shard, Collection<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    context.runOnContext(v -> {
      for (String key : keys) {
        StreamState state = states.get(key);
        if (state == null || !state.shards.remove(shard)) {
          continue;
        }
        state.followers--;
        if (state.shards.isEmpty() && state.ready()) {
          untrack(key);
          if (state.gapTimer >= 0) {
            vertx.cancelTimer(state.gapTimer);
          }
        }
      }
    });
  }

  private void track(String key, StreamState state) {
    states.put(key, state);
    if (!Streams.isNotifications(key) && !key.equals(Channel.BROADCAST)) {
      channelStates.put(key, state);
    }
  }

  private void untrack(String key) {
    states.remove(key);
    channelStates.remove(key);
  }

  private void initialize(String key, StreamState state) {
    onHub(streams.position(key), position -> {
      state.last = position.seq();
      state.epoch = position.epoch();
      List<Runnable> waiting = state.waiting;
      state.waiting = null;
      waiting.forEach(Runnable::run);
      drain(key, state);
      if (state.shards.isEmpty()) {
        untrack(key);
      }
    }, failure -> {
      LOG.log(Level.WARNING, "cannot read stream position key=" + key + ", retrying", failure);
      vertx.setTimer(500, t -> initialize(key, state));
    });
  }

  private void onEnvelope(Envelope envelope) {
    if (envelope.isForUser()) {
      Delivery delivery = Streams.of(envelope);
      for (Outlet shard : shards) {
        shard.context().runOnContext(v -> shard.deliverToUser(envelope.target(), delivery));
      }
      return;
    }
    String key = Streams.keyOf(envelope);
    StreamState state = states.get(key);
    if (state == null) {
      return; // no local follower
    }
    if (envelope.isSequenced()) {
      onSequenced(key, envelope, state);
    } else {
      dispatch(key, state, Streams.of(envelope));
    }
  }

  private void onSequenced(String key, Envelope envelope, StreamState state) {
    if (state.ready() && (state.otherEpoch != null || !envelope.epoch().equals(state.epoch))) {
      checkEpoch(key, envelope, state);
      return;
    }
    if (state.ready() && envelope.seq() <= state.last) {
      return; // already delivered (e.g. by a gap fill)
    }
    if (state.ready() && envelope.seq() == state.last + 1 && state.nothingHeld()) {
      deliverNext(key, state, envelope); // nothing waiting: no need to hold it
      return;
    }
    state.held().put(envelope.seq(), envelope);
    if (state.ready()) {
      drain(key, state);
    }
  }

  /**
   * An envelope of another epoch: either the stream was reset (a new epoch), or the envelope is
   * late from an epoch the stream has left (its publisher was slow). The store, which assigns
   * epochs, says which; until it answers, envelopes are parked in arrival order. Following a late
   * envelope's epoch would send the stream back: followers would get the old event after new ones,
   * then the new ones again.
   */
  private void checkEpoch(String key, Envelope envelope, StreamState state) {
    if (state.otherEpoch != null) {
      state.otherEpoch.add(envelope);
      return;
    }
    state.otherEpoch = new ArrayList<>(List.of(envelope));
    onHub(streams.position(key), position -> followEpoch(key, state, position.epoch()), failure -> {
      LOG.log(Level.WARNING, "cannot read stream position key=" + key + ", following the envelope's epoch", failure);
      followEpoch(key, state, envelope.epoch());
    });
  }

  /** Follows {@code epoch}, the store's current one: parked envelopes of any other are dropped. */
  private void followEpoch(String key, StreamState state, String epoch) {
    List<Envelope> parked = state.otherEpoch;
    state.otherEpoch = null;
    if (states.get(key) != state) {
      return; // every follower left meanwhile
    }
    if (!epoch.equals(state.epoch)) {
      // The stream was reset: start over, filling from the store if its start was missed.
      state.epoch = epoch;
      state.last = 0;
      state.held = null;
    }
    for (Envelope envelope : parked) {
      if (envelope.epoch().equals(state.epoch) && envelope.seq() > state.last) {
        state.held().put(envelope.seq(), envelope);
      }
    }
    drain(key, state);
  }

  /** Delivers held envelopes that continue the sequence; waits for a hole to fill, then reads the store. */
  private void drain(String key, StreamState state) {
    while (!state.nothingHeld()) {
      Map.Entry<Long, Envelope> first = state.held.firstEntry();
      if (!first.getValue().epoch().equals(state.epoch) || first.getKey() <= state.last) {
        state.held.pollFirstEntry(); // stale: an older epoch, or already delivered
        continue;
      }
      if (first.getKey() != state.last + 1) {
        break;
      }
      state.held.pollFirstEntry();
      deliverNext(key, state, first.getValue());
    }
    if (state.nothingHeld()) {
      if (state.gapTimer >= 0) {
        vertx.cancelTimer(state.gapTimer);
        state.gapTimer = -1;
      }
    } else if (state.gapTimer < 0 && !state.gapFilling) {
      state.gapTimer = vertx.setTimer(GAP_WAIT_MS, t -> {
        state.gapTimer = -1;
        fillGap(key, state);
      });
    }
  }

  private void fillGap(String key, StreamState state) {
    if (state.nothingHeld() || states.get(key) != state) {
      return;
    }
    long upTo = state.held.firstKey() - 1;
    String epoch = state.epoch;
    state.gapFilling = true;
    onHub(streams.after(key, state.last, (int) Math.min(upTo - state.last, 10_000)), page -> {
      state.gapFilling = false;
      if (epoch.equals(state.epoch) && epoch.equals(page.position().epoch())) {
        for (Delivery delivery : page.items()) {
          if (delivery.seq() == state.last + 1 && delivery.seq() <= upTo) {
            deliver(key, state, delivery);
          }
        }
      }
      if (state.last < upTo && epoch.equals(state.epoch)) {
        LOG.warning("events " + (state.last + 1) + ".." + upTo + " of key=" + key + " are no longer stored; skipping them");
        state.last = upTo;
      }
      drain(key, state);
    }, failure -> {
      state.gapFilling = false;
      LOG.log(Level.WARNING, "gap fill failed key=" + key + ", retrying", failure);
      drain(key, state);
    });
  }

  /** The envelope that continues the stream's sequence, as its followers get it. */
  private void deliverNext(String key, StreamState state, Envelope envelope) {
    metrics.delivered(envelope.ts());
    deliver(key, state, Streams.of(envelope));
  }

  private void deliver(String key, StreamState state, Delivery delivery) {
    state.last = delivery.seq();
    dispatch(key, state, delivery);
  }

  private void dispatch(String key, StreamState state, Delivery delivery) {
    for (int i = 0; i < state.shards.size(); i++) {
      Outlet shard = state.shards.outlet(i);
      shard.context().runOnContext(v -> shard.deliver(key, delivery));
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
