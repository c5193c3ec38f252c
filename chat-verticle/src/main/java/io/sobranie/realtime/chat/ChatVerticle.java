package io.sobranie.realtime.chat;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.channel.ChannelRules;
import io.sobranie.realtime.common.store.AppendResult;
import io.sobranie.realtime.common.store.HistoryStore;
import io.sobranie.realtime.common.store.MessageDraft;
import io.sobranie.realtime.common.store.StoredMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Channel messages: validates them, checks publish rights, assigns the seq and stores them in one
 * atomic append, replies with the ack and publishes the delivery envelope to every gateway.
 * Stateless: any number of instances on any nodes may serve the same channel.
 */
public final class ChatVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ChatVerticle.class.getName());

  private final ChannelRules rules;
  private final HistoryStore history;

  public ChatVerticle(ChannelRules rules, HistoryStore history) {
    this.rules = rules;
    this.history = history;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_MESSAGE, this::onMessage).completion();
  }

  private void onMessage(Message<JsonObject> request) {
    ChatMessage message;
    Channel channel;
    try {
      message = ChatMessage.fromJson(request.body());
      channel = Channel.parse(message.channel());
      rules.checkPublish(message.principal(), channel);
    } catch (RealtimeException e) {
      fail(request, e);
      return;
    }
    MessageDraft draft = new MessageDraft(Ids.unique("m-"), message.principal().publisherName(), null,
        Json.encode(message.data()), System.currentTimeMillis());
    // Keys are per user: another user's retry with the same idem is a different message.
    String idemKey = message.idem() == null ? null : message.principal().userId() + "\u0000" + message.idem();
    history.append(channel.name(), draft, idemKey)
        .onSuccess(result -> {
          if (!result.duplicate()) {
            publish(channel.name(), result);
          }
          StoredMessage stored = result.message();
          request.reply(new Ack(channel.name(), stored.seq(), stored.id(), stored.ts()).toJson());
        })
        .onFailure(failure -> {
          LOG.log(Level.WARNING, "append failed channel=" + channel.name() + " user=" + message.principal().userId(), failure);
          fail(request, new RealtimeException(ErrorCode.UNAVAILABLE, "message store unavailable, try again"));
        });
  }

  private void publish(String channel, AppendResult result) {
    StoredMessage m = result.message();
    vertx.eventBus().publish(Addresses.DELIVER, new Envelope(Envelope.Kind.MESSAGE, channel, m.seq(), result.epoch(),
        m.id(), m.from(), m.ts(), m.kind(), m.data(), null));
  }

  private static void fail(Message<?> request, RealtimeException e) {
    request.fail(e.code().httpStatus(), e.toReplyMessage());
  }
}
