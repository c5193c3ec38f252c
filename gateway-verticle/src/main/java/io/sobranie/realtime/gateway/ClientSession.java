package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The transport-independent part of a client connection (WebSocket, SSE stream or held poll):
 * the streams it follows with their recovery seams, the unread count and offline queue on open,
 * the {@code deliveredUpTo} watermark, presence reporting, and the one cleanup path that
 * releases everything, whatever ends the session. Transports subclass it and say how to write.
 * Lives on its shard's event loop.
 */
abstract class ClientSession {
  private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());
  /** The most events a replay sends; a larger hole is reported as not recovered. */
  static final int MAX_REPLAY = 10_000;

  /** Told when a subscription has its position, before its replay is written. */
  interface StartListener {
    void started(StreamPosition position, boolean recovered);

    void failed(RealtimeException error);
  }

  protected final String id = Ids.unique("c-");
  protected final Principal principal;
  protected final Shard shard;
  protected final GatewayContext gateway;
  /** Explicit channel subscriptions, by channel name. */
  protected final Map<String, Subscription> channels = new LinkedHashMap<>();
  protected Subscription notifications;
  protected Subscription broadcast;
  protected boolean closed;
  private long deliveredMarked;
  /** Since when the outbound budget has been exceeded (0: it is not). */
  private long behindSince;
  /** Bytes of live events held by subscriptions while their replay is written. */
  private long bufferedBytes;
  /** Past the hard outbound limit: closing, nothing more is written. */
  private boolean overLimit;
  private final List<Runnable> onDrain = new ArrayList<>();
  /** Rooms (channels of presence namespaces) this session told presence it joined. */
  private final Set<String> rooms = new LinkedHashSet<>();
  private boolean reportsPresence;

  ClientSession(Principal principal, Shard shard, GatewayContext gateway) {
    this.principal = principal;
    this.shard = shard;
    this.gateway = gateway;
  }

  Principal principal() {
    return principal;
  }

  String id() {
    return id;
  }

  /** {@code websocket}, {@code sse} or {@code poll}. */
  abstract String transport();

  /** Writes one delivery of a followed stream to the client. */
  protected abstract void write(Subscription subscription, Delivery delivery);

  /** A user event: {@code unread_count}, or a disconnect order. */
  abstract void onUserEvent(Delivery delivery);

  /** Called every quarter heartbeat: ping, or close a dead session. */
  abstract void heartbeat(long now);

  /**
   * Graceful shutdown: tells the client to come back after {@code afterMs} (to another node), then
   * ends the session; completes once those last words are written (or the client is gone), so
   * the server is not closed under them.
   */
  abstract Future<Void> goAway(long afterMs);

  /** Completes when the transport has written its last bytes or the client went away. */
  protected final Promise<Void> finished = Promise.promise();

  /**
   * Whether the client can take more without exceeding the outbound budget (by this session's
   * own byte count; a closed transport takes, and drops, anything).
   */
  protected final boolean writable() {
    return closed || transportClosed() || backlog() < gateway.config().outboundBudgetBytes();
  }

  /** True once the transport cannot write any more (its client is gone). */
  protected abstract boolean transportClosed();

  /** Runs {@code action} once the transport has drained below its budget (now, if it has). */
  protected final void whenWritable(Runnable action) {
    if (writable()) {
      action.run();
    } else {
      onDrain.add(action);
    }
  }

  /** The backlog went down: the slow-consumer clock stops, and paced writes resume, once under the budget. */
  private void drained() {
    if (!writable()) {
      return;
    }
    behindSince = 0;
    if (!onDrain.isEmpty()) {
      List<Runnable> waiting = new ArrayList<>(onDrain);
      onDrain.clear();
      waiting.forEach(Runnable::run);
    }
  }

  /** Closes a session behind its outbound budget ({@code 1013} on WebSocket), saying why. */
  protected abstract void closeSlow(String reason);

  static final String SLOW_CONSUMER = "slow consumer";
  static final String OUTBOUND_LIMIT = "outbound limit exceeded";

  /** Writes a delivery, keeping the offline-queue watermark up to date. */
  final void send(Subscription subscription, Delivery delivery) {
    if (closed || overLimit) {
      return;
    }
    write(subscription, delivery);
    wrote();
    if (delivery.kind() == Envelope.Kind.NOTIFICATION && delivery.seq() > deliveredMarked) {
      deliveredMarked = delivery.seq();
      gateway.store().notifications().markDelivered(principal.userId(), delivery.seq())
          .onFailure(e -> LOG.log(Level.WARNING, "cannot record delivery user=" + principal.userId(), e));
    }
  }

  /** Writes what the session held back for batching ({@link Shard#flushAtEndOfTurn}); most transports hold nothing. */
  void flush() {
  }

  /** Counts one written object and notices when the client falls behind its outbound budget. */
  protected final void wrote() {
    gateway.metrics().written(1);
    noticeBacklog();
  }

  /** Bytes the transport holds unsent (its socket queue and anything it batches). */
  protected abstract long transportBacklog();

  /** Bytes handed to the socket whose write has not completed yet (Vert.x's queue and Netty's). */
  protected long unwritten;

  /** Counts {@code bytes} as unwritten until {@code write} completes (on this event loop). */
  protected final void counted(Future<Void> write, long bytes) {
    unwritten += bytes;
    write.onComplete(done -> {
      unwritten -= bytes;
      drained();
    });
  }

  /** A subscription holds {@code bytes} more (or, negative, fewer) of live events during a replay. */
  final void buffered(long bytes) {
    bufferedBytes += bytes;
    if (bytes > 0) {
      noticeBacklog();
    }
  }

  /** Everything this client has yet to receive: the transport's queue and the events held for it. */
  final long backlog() {
    return transportBacklog() + bufferedBytes;
  }

  /**
   * The outbound budget (PROTOCOL.md, slow consumer), by bytes, replays and held live events
   * included: past {@code OUTBOUND_LIMIT_BYTES} the session is closed at once; past
   * {@code OUTBOUND_BUDGET_BYTES} the slow-consumer clock starts ({@link #closedIfSlow}).
   */
  protected final void noticeBacklog() {
    if (closed) {
      return;
    }
    long backlog = backlog();
    if (backlog > gateway.config().outboundLimitBytes()) {
      if (!overLimit) {
        // Closed after the current delivery loop (closing unsubscribes, which that loop iterates).
        overLimit = true;
        gateway.metrics().slowConsumer();
        shard.context().runOnContext(v -> closeSlow(OUTBOUND_LIMIT));
      }
    } else if (behindSince == 0 && backlog > gateway.config().outboundBudgetBytes()) {
      behindSince = System.currentTimeMillis();
    }
  }

  /**
   * From the heartbeat sweep: true (and the session closed) when it has stayed over its budget for
   * {@code SLOW_CONSUMER_MS}, whatever it waits for (a stalled replay too). A burst that drains in
   * time is not slow; a recovering client that reads keeps its backlog under the budget (replays
   * are paced to the socket).
   */
  protected final boolean closedIfSlow(long now) {
    if (behindSince == 0 || closed || overLimit) {
      return false;
    }
    if (backlog() <= gateway.config().outboundBudgetBytes()) {
      behindSince = 0;
      return false;
    }
    if (now - behindSince < gateway.config().slowConsumerMs()) {
      return false;
    }
    gateway.metrics().slowConsumer();
    closeSlow(SLOW_CONSUMER);
    return true;
  }

  /**
   * From the heartbeat sweep: true (and the session ended) once the token it was opened with has
   * expired. Clients reconnect with a fresh token (the client library's {@code getToken()}).
   */
  protected final boolean closedIfExpired(long now) {
    if (closed || principal.expiresAtMs() <= 0 || now < principal.expiresAtMs()) {
      return false;
    }
    closeExpired();
    return true;
  }

  /** Ends a session whose token expired ({@code 1008 token_expired} on WebSocket). */
  protected abstract void closeExpired();

  /** Joins the shard (user events) and reports the connection to presence. */
  protected void register(boolean reportPresence) {
    shard.add(this);
    gateway.limits().opened(principal.userId());
    gateway.metrics().opened(transport());
    reportsPresence = reportPresence;
    if (reportPresence) {
      presence(Addresses.PRESENCE_CONNECT, new JsonObject().put("transport", transport()));
    }
  }

  /** Tells presence this session follows a room, when its namespace tracks presence. */
  protected void joinRoom(String channel) {
    if (reportsPresence && tracksPresence(channel) && rooms.add(channel)) {
      presence(Addresses.PRESENCE_JOIN, new JsonObject().put("channel", channel));
    }
  }

  protected void leaveRoom(String channel) {
    if (rooms.remove(channel)) {
      presence(Addresses.PRESENCE_LEAVE, new JsonObject().put("channel", channel));
    }
  }

  private boolean tracksPresence(String channel) {
    try {
      return gateway.config().channelRules().of(Channel.parse(channel)).presence();
    } catch (RealtimeException unknownNamespace) {
      return false;
    }
  }

  private void presence(String address, JsonObject body) {
    body.put("nodeId", gateway.incarnation()).put("userId", principal.userId()).put("connectionId", id);
    gateway.bus().request(address, body)
        .onFailure(e -> LOG.log(Level.FINE, "presence not told user=" + principal.userId() + " connection=" + id, e));
  }

  /**
   * Answers the user's unread count and the seq above which notifications are still queued
   * (the {@code deliveredUpTo} watermark), read together on open.
   */
  protected Future<long[]> unreadAndWatermark() {
    String user = principal.userId();
    return onThisLoop(Future.all(gateway.store().notifications().unread(user), gateway.store().notifications().deliveredUpTo(user))
        .map(both -> new long[] {both.<Long>resultAt(0), both.<Long>resultAt(1)}));
  }

  static Delivery unreadCount(String userId, long count) {
    return new Delivery(Envelope.Kind.UNREAD_COUNT, userId, 0, null, "unread_count", null, Buffer.buffer(Frames.unreadCount(count)));
  }

  /**
   * Follows a stream. {@code since} (nullable) asks for the events after it; the listener hears
   * the position and whether the replay is complete, then the replay is written, then live events.
   */
  protected Subscription follow(String key, Long since, String clientEpoch, StartListener listener) {
    Subscription[] created = new Subscription[1];
    created[0] = new Subscription(key, this, position -> recover(created[0], since, clientEpoch, position, listener));
    shard.subscribe(created[0]);
    if (isChannel(key)) {
      gateway.metrics().subscriptions(1);
    }
    return created[0];
  }

  /** A channel the client asked for, not one of the streams every session follows (counted in the metrics). */
  private static boolean isChannel(String key) {
    return !key.equals(Channel.BROADCAST) && !Streams.isNotifications(key);
  }

  private void recover(Subscription subscription, Long since, String clientEpoch, StreamPosition position, StartListener listener) {
    boolean sameEpoch = clientEpoch == null || clientEpoch.equals(position.epoch());
    if (since == null || !sameEpoch || since >= position.seq() || position.seq() - since > MAX_REPLAY) {
      boolean recovered = since != null && sameEpoch && since == position.seq();
      listener.started(position, recovered);
      subscription.goLive(position);
      return;
    }
    replay(subscription, since, position, listener);
  }

  /** A repeated subscribe: answers where the session stands, replaying (since, last sent] when asked. */
  protected void refollow(Subscription subscription, Long since, String clientEpoch, StartListener listener) {
    subscription.whenLive(() -> {
      StreamPosition at = subscription.position();
      boolean sameEpoch = clientEpoch == null || clientEpoch.equals(at.epoch());
      if (since == null || !sameEpoch || since >= at.seq() || at.seq() - since > MAX_REPLAY) {
        listener.started(at, since != null && sameEpoch && since == at.seq());
        return;
      }
      subscription.pause();
      replay(subscription, since, at, listener);
    });
  }

  /** Reads (since, position] from the store, writes it paced to the socket, then lets live events through. */
  private void replay(Subscription subscription, long since, StreamPosition position, StartListener listener) {
    onThisLoop(gateway.streams().after(subscription.key(), since, (int) (position.seq() - since)))
        .onSuccess(page -> {
          if (subscription.cancelled() || closed) {
            return;
          }
          boolean complete = page.complete() && page.position().epoch().equals(position.epoch());
          listener.started(position, complete);
          if (!complete) {
            subscription.goLive(position);
            return;
          }
          writePaced(subscription, page.items(), 0, position);
        })
        .onFailure(failure -> {
          LOG.log(Level.WARNING, "history read failed user=" + principal.userId() + " key=" + subscription.key(), failure);
          unfollow(subscription);
          listener.failed(new RealtimeException(ErrorCode.UNAVAILABLE, "history unavailable, subscribe again"));
        });
  }

  /** Writes replayed events while the socket takes them, resuming on drain; live events wait in the subscription. */
  private void writePaced(Subscription subscription, List<Delivery> items, int from, StreamPosition position) {
    int next = from;
    while (next < items.size() && !closed && !subscription.cancelled()) {
      if (!writable()) {
        int resumeAt = next;
        whenWritable(() -> writePaced(subscription, items, resumeAt, position));
        return;
      }
      Delivery delivery = items.get(next++);
      if (delivery.seq() <= position.seq()) {
        send(subscription, delivery);
      }
    }
    subscription.goLive(position);
  }

  protected void unfollow(Subscription subscription) {
    if (!subscription.cancelled()) {
      subscription.cancel();
      shard.unsubscribe(subscription);
      if (isChannel(subscription.key())) {
        gateway.metrics().subscriptions(-1);
      }
    }
  }

  /** The one cleanup path: releases every subscription, leaves the shard, tells presence (rooms included). Idempotent. */
  protected void cleanup() {
    if (closed) {
      return;
    }
    closed = true;
    shard.remove(this);
    gateway.limits().closed(principal.userId());
    gateway.metrics().closed(transport());
    List<Subscription> all = new ArrayList<>(channels.values());
    if (notifications != null) {
      all.add(notifications);
    }
    if (broadcast != null) {
      all.add(broadcast);
    }
    channels.clear();
    all.removeIf(Subscription::cancelled);
    all.forEach(Subscription::cancel);
    gateway.metrics().subscriptions(-(int) all.stream().filter(s -> isChannel(s.key())).count());
    shard.unsubscribeAll(all);
    if (reportsPresence) {
      presence(Addresses.PRESENCE_DISCONNECT, new JsonObject().put("rooms", new JsonArray(new ArrayList<>(rooms))));
    }
  }

  /** Completes on this session's event loop, whatever thread completes {@code future}. */
  protected <T> Future<T> onThisLoop(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> shard.context().runOnContext(v -> promise.handle(result)));
    return promise.future();
  }
}
