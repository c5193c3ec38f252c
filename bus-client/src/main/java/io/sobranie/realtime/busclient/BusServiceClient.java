package io.sobranie.realtime.busclient;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.PresenceRequests;
import io.sobranie.realtime.common.bus.ServiceRequests;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * The service API over the event bus (docs/protocol.md section 7), for services that join the
 * cluster or run as verticles: the same request records ({@link ServiceRequests}), addresses
 * ({@link Addresses}) and delivery envelope the realtime verticles use, so nothing goes through
 * HTTP or a token. The bus trusts its members: {@code from} is taken as given. Replies complete on
 * the caller's Vert.x context; nothing here blocks.
 */
public final class BusServiceClient {
  private final EventBus bus;
  private final DeliveryOptions options;

  /** Requests time out after {@code timeoutMs} with a {@code ReplyException}. */
  public BusServiceClient(Vertx vertx, long timeoutMs) {
    this.bus = vertx.eventBus();
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** {@code realtime.notify}: a notification for one user (stored, counted, delivered or queued) → {@code {id, seq}}. */
  public Future<JsonObject> sendNotification(ServiceRequests.Notify request) {
    return bus.<JsonObject>request(Addresses.NOTIFY, request.toJson(), options).map(reply -> reply.body());
  }

  /** {@code realtime.publish}: a channel message from {@code request.from()} → {@code {channel, seq, id}}. */
  public Future<JsonObject> publish(ServiceRequests.Publish request) {
    return bus.<JsonObject>request(Addresses.PUBLISH, request.toJson(), options).map(reply -> reply.body());
  }

  /** {@code realtime.broadcast}: a message with a kind on a channel, or on {@code broadcast} → {@code {channel, seq, id}}. */
  public Future<JsonObject> broadcast(ServiceRequests.Broadcast request) {
    return bus.<JsonObject>request(Addresses.BROADCAST, request.toJson(), options).map(reply -> reply.body());
  }

  /**
   * {@code realtime.presence.disconnect-user}: closes every WebSocket and SSE connection of
   * {@code userId} on every gateway node (WebSocket close 4000 with {@code reason}) → {@code {closed: N}},
   * as {@code POST /realtime/disconnect} does.
   */
  public Future<JsonObject> disconnect(PresenceRequests.DisconnectUser request) {
    return bus.<JsonObject>request(Addresses.PRESENCE_DISCONNECT_USER, request.toJson(), options).map(reply -> reply.body());
  }

  /**
   * {@code realtime.offline.notification}: every notification stored while its user had no
   * connection, {@code {userId, id, seq, kind, data}}, e.g. for a mobile push gateway.
   */
  public MessageConsumer<JsonObject> onOfflineNotification(Handler<JsonObject> handler) {
    return bus.<JsonObject>consumer(Addresses.OFFLINE_NOTIFICATION, message -> handler.handle(message.body()));
  }
}
