package io.sobranie.realtime.gateway.session;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.bus.PresenceRequests;
import io.sobranie.realtime.gateway.BusClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Presence for long-polling users on this node (PROTOCOL.md section 9). A poll is short-lived, so
 * polls are not presence connections each: the first poll of a user registers one connection (an
 * id of its own, transport {@code poll}) and joins the presence rooms it asks for; while any poll
 * of the user is held, and for {@code POLL_LEASE_MS} after the last one ended, the user stays
 * connected; then a sweep reports the disconnect and presence announces {@code offline} after its
 * grace. Rooms are leased the same way, each on its own. At most one entry per user, at most
 * {@code maxUsers} users. All state lives on this verticle's context; the methods may be called from any thread.
 */
public final class PollPresence extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(PollPresence.class.getName());
  /** Rooms one user's polls may hold at once on a node (a session's subscription cap). */
  static final int MAX_ROOMS = Session.MAX_SUBSCRIPTIONS;

  private final BusClient bus;
  private final String incarnation;
  private final long leaseMs;
  private final int maxUsers;
  private final Map<String, Entry> users = new HashMap<>();
  private long sweeper = -1;
  private boolean warnedFull;

  /** One user's presence connection on this node. */
  private static final class Entry {
    final String connectionId = Ids.unique("c-");
    final Lease lease = new Lease();
    final Map<String, Lease> rooms = new HashMap<>();
    /** This entry's presence requests, one after another (a leave never overtakes its join). */
    Future<?> requests = Future.succeededFuture();
  }

  /** Held polls, and when the lease ends once none is held. */
  private static final class Lease {
    int held;
    long endsAt;

    void hold() {
      held++;
    }

    void release(long now, long leaseMs) {
      held = Math.max(0, held - 1);
      if (held == 0) {
        endsAt = now + leaseMs;
      }
    }

    boolean expired(long now) {
      return held == 0 && endsAt <= now;
    }
  }

  /**
   * @param incarnation this run of the node in the presence registry
   * @param leaseMs     how long a user counts as connected after their last held poll ended
   * @param maxUsers    the most users tracked at once; polls of others are served but not counted
   */
  public PollPresence(BusClient bus, String incarnation, long leaseMs, int maxUsers) {
    this.bus = bus;
    this.incarnation = incarnation;
    this.leaseMs = leaseMs;
    this.maxUsers = maxUsers;
  }

  /** Starts the sweep; all state then lives on this verticle's context. */
  @Override
  public Future<?> start() {
    // A quarter lease: a user goes offline at most that late after the lease ends.
    sweeper = vertx.setPeriodic(Math.max(25, leaseMs / 4), id -> sweep(System.currentTimeMillis()));
    return Future.succeededFuture();
  }

  /** A poll of {@code userId} is held, following {@code rooms} (channels of presence namespaces). */
  public void started(String userId, Collection<String> rooms) {
    List<String> asked = List.copyOf(rooms);
    context.runOnContext(v -> {
      Entry entry = users.get(userId);
      if (entry == null) {
        if (users.size() >= maxUsers) {
          if (!warnedFull) {
            warnedFull = true;
            LOG.warning("poll presence full: " + maxUsers + " users tracked, user=" + userId + " polls without counting as connected");
          }
          return;
        }
        entry = new Entry();
        users.put(userId, entry);
        tell(entry, Addresses.PRESENCE_CONNECT, new PresenceRequests.Connect(incarnation, userId, entry.connectionId, "poll").toJson());
      }
      entry.lease.hold();
      for (String room : asked) {
        Lease lease = entry.rooms.get(room);
        if (lease == null && entry.rooms.size() < MAX_ROOMS) {
          lease = new Lease();
          entry.rooms.put(room, lease);
          tell(entry, Addresses.PRESENCE_JOIN, new PresenceRequests.Membership(incarnation, room, userId, entry.connectionId).toJson());
        }
        if (lease != null) {
          lease.hold();
        }
      }
    });
  }

  /** A poll {@link #started} with the same rooms ended (answered, timed out, or the client went away). */
  public void ended(String userId, Collection<String> rooms) {
    List<String> asked = List.copyOf(rooms);
    context.runOnContext(v -> {
      Entry entry = users.get(userId);
      if (entry == null) {
        return; // not tracked (the registry was full when it started)
      }
      long now = System.currentTimeMillis();
      entry.lease.release(now, leaseMs);
      for (String room : asked) {
        Lease lease = entry.rooms.get(room);
        if (lease != null) {
          lease.release(now, leaseMs);
        }
      }
    });
  }

  /** Users whose lease ran out are disconnected; rooms no poll asked for within the lease are left. */
  private void sweep(long now) {
    for (Iterator<Map.Entry<String, Entry>> it = users.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry> user = it.next();
      Entry entry = user.getValue();
      if (entry.lease.expired(now)) {
        it.remove();
        disconnect(user.getKey(), entry);
        continue;
      }
      for (Iterator<Map.Entry<String, Lease>> rooms = entry.rooms.entrySet().iterator(); rooms.hasNext(); ) {
        Map.Entry<String, Lease> room = rooms.next();
        if (room.getValue().expired(now)) {
          rooms.remove();
          tell(entry, Addresses.PRESENCE_LEAVE,
              new PresenceRequests.Membership(incarnation, room.getKey(), user.getKey(), entry.connectionId).toJson());
        }
      }
    }
    if (users.size() < maxUsers) {
      warnedFull = false;
    }
  }

  private Future<?> disconnect(String userId, Entry entry) {
    return tell(entry, Addresses.PRESENCE_DISCONNECT,
        new PresenceRequests.Disconnect(incarnation, userId, entry.connectionId, new ArrayList<>(entry.rooms.keySet())).toJson());
  }

  /**
   * Graceful shutdown: every tracked user is disconnected at once (their clients poll another node,
   * which registers them there within the presence grace). Completes when presence has answered.
   */
  public Future<Void> releaseAll() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(sweeper);
      List<Future<?>> disconnects = new ArrayList<>();
      users.forEach((userId, entry) -> disconnects.add(disconnect(userId, entry)));
      users.clear();
      Future.join(disconnects).<Void>mapEmpty().otherwiseEmpty().onComplete(done);
    });
    return done.future();
  }

  /** Sends a presence request after the entry's earlier ones were answered. */
  private Future<?> tell(Entry entry, String address, JsonObject body) {
    entry.requests = entry.requests.transform(previous -> bus.request(address, body)
        .onFailure(e -> LOG.log(Level.FINE, "presence not told of a poll connection=" + entry.connectionId, e)));
    return entry.requests;
  }
}
