package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.bus.Envelope;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The local index of one event loop: channel → subscriptions of the connections living on it.
 * Touched only on its own context, so it needs no locks; the {@link Hub} hands it envelopes
 * already ordered and encoded.
 */
final class Shard {
  private final Context context;
  private final Hub hub;
  private final Map<String, Set<Subscription>> byChannel = new HashMap<>();
  private final Set<WebSocketConnection> connections = new LinkedHashSet<>();

  Shard(Context context, Hub hub) {
    this.context = context;
    this.hub = hub;
  }

  Context context() {
    return context;
  }

  Hub hub() {
    return hub;
  }

  void add(WebSocketConnection connection) {
    connections.add(connection);
  }

  void remove(WebSocketConnection connection) {
    connections.remove(connection);
  }

  /** A snapshot, so callers may close connections while iterating. */
  List<WebSocketConnection> connections() {
    return new ArrayList<>(connections);
  }

  int connectionCount() {
    return connections.size();
  }

  /** Indexes a subscription and joins the hub; {@code subscription.start} runs when the hub answers. */
  void subscribe(Subscription subscription) {
    byChannel.computeIfAbsent(subscription.channel(), c -> new HashSet<>()).add(subscription);
    hub.join(this, subscription.channel(), subscription::start);
  }

  void unsubscribe(Subscription subscription) {
    unindex(subscription);
    hub.leave(this, List.of(subscription.channel()));
  }

  /** Removes every subscription of a closing connection with one hop to the hub. */
  void unsubscribeAll(Iterable<Subscription> subscriptions) {
    List<String> left = new ArrayList<>();
    for (Subscription subscription : subscriptions) {
      unindex(subscription);
      left.add(subscription.channel());
    }
    hub.leave(this, left);
  }

  private void unindex(Subscription subscription) {
    Set<Subscription> subscribers = byChannel.get(subscription.channel());
    if (subscribers != null && subscribers.remove(subscription) && subscribers.isEmpty()) {
      byChannel.remove(subscription.channel());
    }
  }

  /** From the hub, on this context: hands an envelope and its encoded frame to every local subscriber. */
  void deliver(String channel, Envelope envelope, Buffer frame) {
    Set<Subscription> subscribers = byChannel.get(channel);
    if (subscribers != null) {
      for (Subscription subscription : subscribers) {
        subscription.offer(envelope, frame);
      }
    }
  }
}
