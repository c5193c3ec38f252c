package io.sobranie.realtime.gateway.session;

import io.sobranie.realtime.gateway.hub.Delivery;
import io.sobranie.realtime.gateway.hub.Hub;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local index of one event loop: stream key → subscriptions, user → sessions, for the
 * sessions living on it. Touched only on its own context, so it needs no locks; the {@link Hub}
 * hands it deliveries already ordered and encoded.
 */
public final class Shard implements Hub.Outlet {
  private static final Logger LOG = Logger.getLogger(Shard.class.getName());
  private final Context context;
  private final Hub hub;
  private final Followers<Subscription> byKey = new Followers<>();
  private final Followers<Session> byUser = new Followers<>();
  private final Set<Session> sessions = new LinkedHashSet<>();
  /** Sessions holding output for the end of this event-loop turn (adaptive batching). */
  private final List<Session> unflushed = new ArrayList<>();
  private boolean flushQueued;

  public Shard(Context context, Hub hub) {
    this.context = context;
    this.hub = hub;
  }

  @Override
  public Context context() {
    return context;
  }

  void add(Session session) {
    sessions.add(session);
    byUser.add(session.principal().userId(), session);
  }

  void remove(Session session) {
    sessions.remove(session);
    byUser.remove(session.principal().userId(), session);
  }

  /**
   * Flushes {@code session} once the tasks already queued on this event loop have run: under
   * load, the deliveries queued meanwhile join the same frame; when idle, the flush comes next.
   */
  void flushAtEndOfTurn(Session session) {
    unflushed.add(session);
    if (!flushQueued) {
      flushQueued = true;
      context.runOnContext(v -> flushAll());
    }
  }

  private void flushAll() {
    flushQueued = false;
    for (int i = 0; i < unflushed.size(); i++) { // a flush may add to the list
      unflushed.get(i).flush();
    }
    unflushed.clear();
  }

  /** A snapshot, so callers may close sessions while iterating. */
  public List<Session> sessions() {
    return new ArrayList<>(sessions);
  }

  /** Indexes a subscription and joins the hub; {@code subscription.start} runs when the hub answers. */
  void subscribe(Subscription subscription) {
    byKey.add(subscription.key(), subscription);
    hub.join(this, subscription.key(), subscription::start);
  }

  void unsubscribe(Subscription subscription) {
    unindex(subscription);
    hub.leave(this, List.of(subscription.key()));
  }

  /** Removes every subscription of a closing session with one hop to the hub. */
  void unsubscribeAll(Iterable<Subscription> subscriptions) {
    List<String> left = new ArrayList<>();
    for (Subscription subscription : subscriptions) {
      unindex(subscription);
      left.add(subscription.key());
    }
    hub.leave(this, left);
  }

  private void unindex(Subscription subscription) {
    byKey.remove(subscription.key(), subscription);
  }

  /**
   * From the hub, on this context: hands a delivery to every local follower of its stream.
   * Sessions never unsubscribe synchronously from {@code offer}, so the index is iterated as is.
   */
  @Override
  public void deliver(String key, Delivery delivery) {
    byKey.forEach(key, subscription -> {
      try {
        subscription.offer(delivery);
      } catch (RuntimeException e) {
        // one broken connection must not cost the others their delivery
        LOG.log(Level.WARNING, "delivery failed key=" + key + " user=" + subscription.session().principal().userId(), e);
      }
    });
  }

  /**
   * From the hub, on this context: hands a user event to every local session of the user but the
   * one it excepts (which may close them).
   */
  @Override
  public void deliverToUser(String userId, Delivery delivery) {
    for (Session session : byUser.snapshot(userId)) {
      if (!session.id().equals(delivery.except())) {
        session.onUserEvent(delivery);
      }
    }
  }
}
