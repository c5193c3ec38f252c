package io.sobranie.realtime.chat;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.Ack;
import io.sobranie.realtime.common.bus.BinaryFrames;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.bus.ChatRequests;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.bus.Replies;
import io.sobranie.realtime.common.bus.ServiceRequests;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.channel.ChannelRules;
import io.sobranie.realtime.common.store.AppendResult;
import io.sobranie.realtime.common.store.HistoryStore;
import io.sobranie.realtime.common.store.MessageDraft;
import io.sobranie.realtime.common.store.PresenceStore;
import io.sobranie.realtime.common.store.StoredMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Channel messages: validates them, checks publish rights, assigns the seq and stores them in one
 * atomic append, replies with the ack and publishes the delivery envelope to every gateway.
 * Everything that carries a seq comes through here: client messages, and services' publish and
 * broadcast; so do the live-only typing indicators and WebRTC signals. Stateless: any number of instances on any nodes may serve the same channel.
 */
public final class ChatVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ChatVerticle.class.getName());

  private final ChannelRules rules;
  private final HistoryStore history;
  private final PresenceStore presence;

  /** @param presence to tell whether a signal's recipient is connected anywhere */
  public ChatVerticle(ChannelRules rules, HistoryStore history, PresenceStore presence) {
    this.rules = rules;
    this.history = history;
    this.presence = presence;
  }

  @Override
  public Future<?> start() {
    return Future.all(List.of(
        vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_MESSAGE, this::onClientMessage).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_REPEAT, this::onRepeat).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.PUBLISH, this::onPublish).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.BROADCAST, this::onBroadcast).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_TYPING, this::onTyping).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_SIGNAL, this::onSignal).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_BINARY, this::onBinary).completion()));
  }

  /** A client's message: its publish right is checked here; {@code from} is its principal. */
  private void onClientMessage(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      ChatMessage message = ChatMessage.fromJson(body);
      rules.checkPublish(message.principal(), Channel.parse(message.channel()));
      return append(message.channel(), message.principal().publisherName(), null, message.data(), idemKey(message))
          .map(result -> ack(message, result));
    });
  }

  /**
   * A client message over its sender's budget: if its idem key was used, the original's ack (a
   * repeat costs no budget, PROTOCOL.md); otherwise an empty reply and the gateway refuses it.
   */
  private void onRepeat(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      ChatMessage message = ChatMessage.fromJson(body);
      rules.checkPublish(message.principal(), Channel.parse(message.channel()));
      if (message.idem() == null) {
        throw RealtimeException.badRequest("a repeat lookup needs 'idem'");
      }
      return history.repeat(message.channel(), idemKey(message))
          .map(result -> result == null ? new JsonObject() : ack(message, result));
    });
  }

  /** Idempotency keys are per user: another user's retry with the same idem is a different message. */
  private static String idemKey(ChatMessage message) {
    return message.idem() == null ? null : message.principal().userId() + "\u0000" + message.idem();
  }

  private static JsonObject ack(ChatMessage message, AppendResult result) {
    return new Ack(message.channel(), result.message().seq(), result.message().id(), result.message().ts()).toJson()
        .put("duplicate", result.duplicate());
  }

  /** {@code realtime.publish}: services in the cluster are trusted with their {@code from}. */
  private void onPublish(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      ServiceRequests.Publish publish = ServiceRequests.Publish.fromJson(body);
      return append(publish.channel(), publish.from(), publish.kind(), publish.data(), null)
          .map(result -> new JsonObject().put("channel", publish.channel()).put("seq", result.message().seq())
              .put("id", result.message().id()));
    });
  }

  /** {@code realtime.broadcast}: like publish, on {@code broadcast} when no channel is given. */
  private void onBroadcast(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      ServiceRequests.Broadcast broadcast = ServiceRequests.Broadcast.fromJson(body);
      return append(broadcast.channel(), broadcast.from(), broadcast.kind(), broadcast.data(), null)
          .map(result -> new JsonObject().put("channel", broadcast.channel()).put("seq", result.message().seq())
              .put("id", result.message().id()));
    });
  }

  /**
   * A typing indicator ({@link ChatRequests.Typing}): relayed live to the channel's subscribers
   * except the typist's own connections; not stored, no seq. (The gateway authorized and
   * throttled it; the publish right is checked again here, as for every bus sender.)
   */
  private void onTyping(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      ChatRequests.Typing typing = ChatRequests.Typing.fromJson(body);
      rules.checkPublish(typing.principal(), Channel.parse(typing.channel()));
      vertx.eventBus().publish(Addresses.DELIVER, Envelope.typing(typing.channel(), typing.principal().publisherName(),
          typing.principal().userId(), typing.active(), System.currentTimeMillis()));
      return Future.succeededFuture(new JsonObject());
    });
  }

  /**
   * A WebRTC signal ({@link ChatRequests.Signal}): relayed to every connection of {@code to},
   * stamped with {@code from}; {@code not_found} when {@code to} has no connection on any node.
   */
  private void onSignal(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      ChatRequests.Signal signal = ChatRequests.Signal.fromJson(body);
      String frame = new JsonObject().put("type", "signal").put("from", signal.principal().userId())
          .put("signal", signal.signal()).put("payload", signal.payload()).encode();
      return presence.connectionCount(signal.to()).compose(count -> {
        if (count == 0) {
          return Future.failedFuture(new RealtimeException(ErrorCode.NOT_FOUND, signal.to() + " is not connected"));
        }
        vertx.eventBus().publish(Addresses.DELIVER, Envelope.signal(signal.to(), signal.principal().userId(),
            System.currentTimeMillis(), frame));
        return Future.succeededFuture(new JsonObject());
      });
    });
  }

  /**
   * A binary frame ({@link ChatRequests.Binary}): relayed live to the channel's subscribers with
   * {@code from}, {@code id} and {@code ts} added to its header; not stored (files go through REST).
   */
  private void onBinary(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      ChatRequests.Binary binary = ChatRequests.Binary.fromJson(body);
      rules.checkPublish(binary.principal(), Channel.parse(binary.channel()));
      String id = Ids.unique("b-");
      long ts = System.currentTimeMillis();
      String from = binary.principal().publisherName();
      JsonObject header = binary.header().copy().put("from", from).put("id", id).put("ts", ts);
      Buffer relayed = BinaryFrames.build(header, Buffer.buffer(Base64.getDecoder().decode(binary.payload())));
      vertx.eventBus().publish(Addresses.DELIVER, Envelope.binary(binary.channel(), id, from, ts,
          Base64.getEncoder().encodeToString(relayed.getBytes())));
      return Future.succeededFuture(new JsonObject().put("channel", binary.channel()).put("id", id).put("ts", ts));
    });
  }

  /** Stores a message (once per idempotency key) and, if new, publishes its envelope. */
  private Future<AppendResult> append(String channel, String from, String kind, Object data, String idemKey) {
    MessageDraft draft = new MessageDraft(Ids.unique("m-"), from, kind, Json.encode(data), System.currentTimeMillis());
    return history.append(channel, draft, idemKey)
        .recover(failure -> {
          LOG.log(Level.WARNING, "append failed channel=" + channel + " from=" + from, failure);
          return Future.failedFuture(new RealtimeException(ErrorCode.UNAVAILABLE, "message store unavailable, try again"));
        })
        .map(result -> {
          if (!result.duplicate()) {
            publish(channel, result);
          }
          return result;
        });
  }

  private void publish(String channel, AppendResult result) {
    StoredMessage m = result.message();
    vertx.eventBus().publish(Addresses.DELIVER, Envelope.message(channel, m.seq(), result.epoch(), m.id(), m.from(), m.ts(),
        m.kind(), m.data()));
  }
}
