package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.RealtimeException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** The gateway's side of the other services' event-bus APIs; failures come back as {@link RealtimeException}. */
final class BusClient {
  private static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(10_000);
  private final Vertx vertx;

  BusClient(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, REQUEST)
        .transform(reply -> reply.succeeded()
            ? Future.succeededFuture(reply.result().body())
            : Future.failedFuture(RealtimeException.from(reply.cause())));
  }

}
