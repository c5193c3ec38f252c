package io.sobranie.realtime.notification;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.bus.NotificationRequests;
import io.sobranie.realtime.common.bus.Replies;
import io.sobranie.realtime.common.bus.ServiceRequests.Notify;
import io.sobranie.realtime.common.store.NotificationStore;
import io.sobranie.realtime.common.store.PresenceStore;
import io.sobranie.realtime.common.store.StoredNotification;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Notifications (PROTOCOL.md sections 3, 6-8): stores each in the user's stream with its seq,
 * keeps the unread count exact, delivers it and the new count to every connection of the user
 * on every node (through the gateways' hubs), and tells push gateways about those stored while
 * the user had no connection. Stateless: any number of instances may run.
 */
public final class NotificationVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(NotificationVerticle.class.getName());

  private final NotificationStore notifications;
  private final PresenceStore presence;

  public NotificationVerticle(NotificationStore notifications, PresenceStore presence) {
    this.notifications = notifications;
    this.presence = presence;
  }

  @Override
  public Future<?> start() {
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.NOTIFY, this::onNotify).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.NOTIFY_READ, this::onRead).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.NOTIFY_UNREAD, this::onUnread).completion());
  }

  /** {@code {userId, kind, data}} → {@code {id, seq}}. */
  private void onNotify(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      Notify notify = Notify.fromJson(body);
      return notifications.append(notify.userId(), Ids.unique("n-"), notify.kind(), Json.encode(notify.data()),
              System.currentTimeMillis())
          .map(appended -> {
            StoredNotification n = appended.notification();
            deliver(notify.userId(), appended);
            pushIfOffline(notify.userId(), n);
            return new JsonObject().put("id", n.id()).put("seq", n.seq());
          });
    });
  }

  private void deliver(String userId, NotificationStore.Appended appended) {
    StoredNotification n = appended.notification();
    vertx.eventBus().publish(Addresses.DELIVER, Envelope.notification(userId, n.seq(), appended.epoch(), n.id(), n.ts(),
        n.kind(), n.data()));
    publishUnread(userId, appended.unread(), null);
  }

  private void pushIfOffline(String userId, StoredNotification n) {
    presence.connectionCount(userId)
        .onSuccess(count -> {
          if (count == 0) {
            vertx.eventBus().publish(Addresses.OFFLINE_NOTIFICATION, new JsonObject().put("userId", userId)
                .put("id", n.id()).put("seq", n.seq()).put("kind", n.kind()).put("data", Json.decodeValue(n.data())));
          }
        })
        .onFailure(failure -> LOG.log(Level.WARNING, "presence unknown, no push user=" + userId, failure));
  }

  /** {@link NotificationRequests.Read} → {@code {unread}}; the user's other connections get the count pushed. */
  private void onRead(Message<JsonObject> request) {
    Replies.handle(request, body -> {
      NotificationRequests.Read read = NotificationRequests.Read.fromJson(body);
      Future<Long> unread = read.upTo() != null ? notifications.markReadUpTo(read.userId(), read.upTo())
          : notifications.markRead(read.userId(), read.ids());
      return unread.map(count -> {
        publishUnread(read.userId(), count, read.connectionId());
        return new JsonObject().put("unread", count);
      });
    });
  }

  /** {@code {userId}} → {@code {unread}}. */
  private void onUnread(Message<JsonObject> request) {
    Replies.handle(request, body -> notifications.unread(Principal.requireUserId(body, "userId"))
        .map(count -> new JsonObject().put("unread", count)));
  }

  /** Tells every connection of the user the count, but {@code exceptConnection} (answered directly; nullable). */
  private void publishUnread(String userId, long count, String exceptConnection) {
    vertx.eventBus().publish(Addresses.DELIVER, Envelope.unreadCount(userId, count, System.currentTimeMillis(), exceptConnection));
  }
}
