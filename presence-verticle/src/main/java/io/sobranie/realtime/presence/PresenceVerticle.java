package io.sobranie.realtime.presence;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.bus.PresenceRequests;
import io.sobranie.realtime.common.bus.Replies;
import io.sobranie.realtime.common.store.PresenceStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Presence (PROTOCOL.md sections 3 and 8): keeps every connection and room membership the
 * gateways report, announces a user {@code online} on the first connection and {@code offline}
 * {@code PRESENCE_GRACE_MS} after the last one closes (a reload does not flap), answers queries,
 * and reaps the connections of nodes whose lease lapsed (a node that died without a word).
 * Announcements go to {@code presence:{userId}} and to the user's rooms.
 */
public final class PresenceVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(PresenceVerticle.class.getName());

  private final PresenceStore presence;
  private final long graceMs;
  private final long reapIntervalMs;

  /**
   * @param graceMs        how long after the last connection closes {@code offline} is announced
   * @param reapIntervalMs how often to look for nodes whose lease lapsed
   */
  public PresenceVerticle(PresenceStore presence, long graceMs, long reapIntervalMs) {
    this.presence = presence;
    this.graceMs = graceMs;
    this.reapIntervalMs = reapIntervalMs;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(reapIntervalMs, id -> reap());
    return Future.all(List.of(
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_CONNECT, r -> Replies.handle(r, this::connect)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_DISCONNECT, r -> Replies.handle(r, this::disconnect)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_JOIN, r -> Replies.handle(r, this::join)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_LEAVE, r -> Replies.handle(r, this::leave)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_QUERY, r -> Replies.handle(r, this::query)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_DISCONNECT_USER, r -> Replies.handle(r, this::disconnectUser))
            .completion()));
  }

  /** {@link PresenceRequests.Connect}: online on the first connection. */
  private Future<JsonObject> connect(JsonObject body) {
    PresenceRequests.Connect connect = PresenceRequests.Connect.fromJson(body);
    return presence.connect(connect.nodeId(), connect.userId(), connect.connectionId(), connect.transport())
        .map(connected -> {
          if (!connected.wasOnline()) {
            announce(connect.userId(), "online", List.of());
          }
          return new JsonObject().put("connections", connected.connections());
        });
  }

  /** {@link PresenceRequests.Disconnect}: offline after the grace, if nothing reconnected. */
  private Future<JsonObject> disconnect(JsonObject body) {
    PresenceRequests.Disconnect disconnect = PresenceRequests.Disconnect.fromJson(body);
    return presence.disconnect(disconnect.nodeId(), disconnect.userId(), disconnect.connectionId(), System.currentTimeMillis())
        .map(count -> {
          if (count == 0) {
            vertx.setTimer(Math.max(1, graceMs), t -> goOfflineIfGone(disconnect.userId(), disconnect.rooms()));
          }
          return new JsonObject().put("connections", count);
        });
  }

  private void goOfflineIfGone(String userId, Collection<String> rooms) {
    presence.markOfflineIfGone(userId)
        .onSuccess(gone -> {
          if (gone) {
            announce(userId, "offline", rooms);
          }
        })
        .onFailure(e -> LOG.log(Level.WARNING, "cannot settle presence user=" + userId, e));
  }

  /**
   * {@link PresenceRequests.Membership}: records the membership. Joining is not a status change,
   * so nothing is announced (a room of thousands would hear every reconnect).
   */
  private Future<JsonObject> join(JsonObject body) {
    PresenceRequests.Membership join = PresenceRequests.Membership.fromJson(body);
    return presence.join(join.nodeId(), join.channel(), join.userId(), join.connectionId()).map(first -> new JsonObject());
  }

  private Future<JsonObject> leave(JsonObject body) {
    PresenceRequests.Membership leave = PresenceRequests.Membership.fromJson(body);
    return presence.leave(leave.nodeId(), leave.channel(), leave.userId(), leave.connectionId()).map(v -> new JsonObject());
  }

  /**
   * {@link PresenceRequests.Query} → {@code {users:[{userId, status, lastSeen}]}}, lastSeen being
   * now for online users (the gateway checked the channel's subscribe right).
   */
  private Future<JsonObject> query(JsonObject body) {
    PresenceRequests.Query query = PresenceRequests.Query.fromJson(body);
    Future<? extends Collection<String>> users = query.channel() != null
        ? presence.members(query.channel()).map(members -> members.stream().sorted().toList())
        : Future.succeededFuture(query.users());
    long now = System.currentTimeMillis();
    return users.compose(presence::status).map(status -> {
      JsonArray result = new JsonArray();
      status.values().forEach(p -> result.add(new JsonObject().put("userId", p.userId())
          .put("status", p.online() ? "online" : "offline")
          .put("lastSeen", p.online() ? Long.valueOf(now) : p.lastSeen())));
      return new JsonObject().put("users", result);
    });
  }

  /**
   * {@link PresenceRequests.DisconnectUser} (services are trusted on the bus): every gateway closes
   * the user's WebSockets (4000 with the reason) and SSE streams; answers how many there were.
   */
  private Future<JsonObject> disconnectUser(JsonObject body) {
    PresenceRequests.DisconnectUser order = PresenceRequests.DisconnectUser.fromJson(body);
    return presence.connectionCount(order.userId(), CLOSABLE).map(count -> {
      vertx.eventBus().publish(Addresses.DELIVER, Envelope.disconnect(order.userId(), order.from(), order.reason(),
          System.currentTimeMillis()));
      return new JsonObject().put("closed", count);
    });
  }

  /** The transports a disconnect order closes (a held poll just ends; the next one is authenticated afresh). */
  private static final Set<String> CLOSABLE = Set.of("websocket", "sse");

  /** Purges the nodes whose lease lapsed; their users who have no other connection go offline now. */
  private void reap() {
    long now = System.currentTimeMillis();
    presence.expiredNodes(now)
        .compose(nodes -> {
          List<Future<?>> purges = new ArrayList<>();
          for (String nodeId : nodes) {
            purges.add(presence.purgeNode(nodeId, now).onSuccess(gone -> {
              LOG.info("reaped node=" + nodeId + " users offline=" + gone.size());
              gone.forEach(this::goOfflineIfGone);
            }));
          }
          return Future.join(purges);
        })
        .onFailure(e -> LOG.log(Level.WARNING, "presence reaper failed", e));
  }

  private void announce(String userId, String status, Collection<String> rooms) {
    publish("presence:" + userId, userId, status);
    for (String room : rooms) {
      publish(room, userId, status);
    }
  }

  private void publish(String channel, String userId, String status) {
    long now = System.currentTimeMillis();
    String frame = new JsonObject().put("type", "presence").put("userId", userId).put("status", status)
        .put("ts", now).put("channel", channel).encode();
    vertx.eventBus().publish(Addresses.DELIVER, Envelope.presence(channel, userId, now, frame));
  }

}
