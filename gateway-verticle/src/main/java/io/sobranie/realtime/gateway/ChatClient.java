package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** The gateway's side of the chat service's event-bus API; failures come back as {@link RealtimeException}. */
final class ChatClient {
  private static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(10_000);
  private final Vertx vertx;

  ChatClient(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<Ack> send(ChatMessage message) {
    return vertx.eventBus().<JsonObject>request(Addresses.CHAT_MESSAGE, message.toJson(), REQUEST)
        .transform(reply -> reply.succeeded()
            ? Future.succeededFuture(Ack.fromJson(reply.result().body()))
            : Future.failedFuture(RealtimeException.from(reply.cause())));
  }
}
