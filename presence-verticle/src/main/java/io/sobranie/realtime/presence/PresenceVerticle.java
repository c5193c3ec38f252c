package io.sobranie.realtime.presence;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.bus.Replies;
import io.sobranie.realtime.common.store.PresenceStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * The connection registry: gateways report every connection that opens and closes
 * ({@code {nodeId, userId, connectionId, transport}}), and the count of a user's connections on
 * every node answers "is this user connected anywhere?". Online/offline announcements, room
 * presence and the purge of dead nodes build on it (next version).
 */
public final class PresenceVerticle extends VerticleBase {
  private final PresenceStore presence;

  public PresenceVerticle(PresenceStore presence) {
    this.presence = presence;
  }

  @Override
  public Future<?> start() {
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_CONNECT, request -> Replies.handle(request, body ->
            presence.connect(JsonFields.requireString(body, "nodeId"), JsonFields.requireString(body, "userId"),
                    JsonFields.requireString(body, "connectionId"), JsonFields.requireString(body, "transport"))
                .map(connected -> new JsonObject().put("connections", connected.connections())))).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_DISCONNECT, request -> Replies.handle(request, body ->
            presence.disconnect(JsonFields.requireString(body, "nodeId"), JsonFields.requireString(body, "userId"),
                    JsonFields.requireString(body, "connectionId"), System.currentTimeMillis())
                .map(count -> new JsonObject().put("connections", count)))).completion());
  }
}
