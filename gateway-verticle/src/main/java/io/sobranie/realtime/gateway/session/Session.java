package io.sobranie.realtime.gateway.session;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.FrameType;
import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.bus.PresenceRequests;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.StreamPosition;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.hub.Delivery;
import io.sobranie.realtime.gateway.hub.Streams;
import io.sobranie.realtime.gateway.protocol.Frames;
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
 * One client session, whatever carries it (a {@link Transport}): the streams it follows with their
 * recovery seams, the unread count and offline queue on open, the {@code deliveredUpTo}
 * watermark, presence reporting, the outbound budget, and the one cleanup path that releases
 * everything whatever ends the session. Its {@link Kind} says which of the protocol's openings it
 * follows. Lives on its shard's event loop; every method is called there.
 */
public final class Session {
  private static final Logger LOG = Logger.getLogger(Session.class.getName());
  /** The most events a replay sends; a larger hole is reported as not recovered. */
  static final int MAX_REPLAY = 10_000;
  /** Explicit subscriptions a connection may hold (the implicit streams do not count). */
  public static final int MAX_SUBSCRIPTIONS = 200;

  /** What a session is: which streams it follows and how it opens (PROTOCOL.md sections 3-5). */
  public enum Kind {
    /** {@code /realtime/ws}: {@code connected} at once, then {@code unread_count} and the offline queue. */
    WEBSOCKET(true, true, false),
    /** {@code /realtime/webrtc/signaling}: {@code connected}, then signals only. */
    SIGNALING(false, true, false),
    /** {@code /realtime/events}: events wait until every stream has its position; sequenced ones carry the cursor. */
    SSE(true, true, true),
    /**
     * {@code /realtime/poll}: one reply, as soon as there is an event (or at the timeout), with the
     * cursor. Presence is not told per poll: {@link PollPresence} keeps one leased connection per user.
     */
    POLL(true, false, true);

    final boolean implicitStreams;
    final boolean reportsPresence;
    final boolean cursors;

    Kind(boolean implicitStreams, boolean reportsPresence, boolean cursors) {
      this.implicitStreams = implicitStreams;
      this.reportsPresence = reportsPresence;
      this.cursors = cursors;
    }
  }

  /** Told when a subscription has its position, before its replay is written. */
  interface StartListener {
    void started(StreamPosition position, boolean recovered);

    void failed(RealtimeException error);
  }

  private static final StartListener SILENT = new StartListener() {
    @Override
    public void started(StreamPosition position, boolean recovered) {
    }

    @Override
    public void failed(RealtimeException error) {
    }
  };

  private final String id = Ids.unique("c-");
  private final Kind kind;
  private final Principal principal;
  private final Transport transport;
  private final Shard shard;
  private final GatewayContext gateway;
  private final OutboundBudget budget;
  /** Explicit channel subscriptions, by channel name. */
  private final Map<String, Subscription> channels = new LinkedHashMap<>();
  private Subscription notifications;
  private Subscription broadcast;
  private boolean closed;
  private long deliveredMarked;
  /**
   * True from registration until the opening {@code unread_count} and the offline queue are out:
   * a live count meanwhile may have been published before this session registered (the bus does
   * not order it after the read, and it would come between the count and the queue), so it is only
   * noted, and the count is read again once the queue is out.
   */
  private boolean openingCountPending;
  private boolean countChangedWhileOpening;
  /** Rooms (channels of presence namespaces) this session told presence it joined; null until the first. */
  private Set<String> rooms;
  /** Requests this connection relays through chat (messages, typing, signals), chained so they keep the client's order. */
  private Future<?> sending = Future.succeededFuture();
  private final Promise<Void> finished = Promise.promise();
  // cursor transports (SSE, poll); a WebSocket session has neither (idle connections are many: no empty collections)
  private final Cursor written;
  /** Streams whose requested position is beyond history: reported as {@code recovered:false}. */
  private final List<String> lost;
  private int starting;
  /** Events sent before every stream started, held so a client that saw {@code connected} misses nothing; null once flowing. */
  private List<Runnable> held;
  // poll
  /** The presence rooms this poll asked for, reported to {@link PollPresence}; null until it opened. */
  private List<String> pollRooms;
  private boolean answerScheduled;
  private boolean gotNotification;
  private boolean wroteAny;
  private long pollTimer = -1;
  /** The poll's time ran out while its streams were still starting: it is answered once they have. */
  private boolean pollTimedOut;

  public Session(Kind kind, Principal principal, Transport transport, Shard shard, GatewayContext gateway) {
    this.kind = kind;
    this.principal = principal;
    this.transport = transport;
    this.shard = shard;
    this.gateway = gateway;
    this.budget = new OutboundBudget(this, gateway.config());
    this.written = kind.cursors ? Cursor.empty() : null;
    this.lost = kind.cursors ? new ArrayList<>() : null;
  }

  public String id() {
    return id;
  }

  public Principal principal() {
    return principal;
  }

  public Kind kind() {
    return kind;
  }

  Transport transport() {
    return transport;
  }

  GatewayContext gateway() {
    return gateway;
  }

  /** The resume point of a cursor transport now (SSE {@code id:}, a poll reply's {@code cursor}). */
  public String cursorText() {
    return written.encode();
  }

  /** The streams of a cursor transport that could not be recovered (a poll reply's {@code channels}). */
  public List<String> notRecovered() {
    return lost;
  }

  /** Completes when the transport has written its last bytes or the client went away. */
  public Future<Void> finished() {
    return finished.future();
  }

  // ---- opening ------------------------------------------------------------------------------

  /**
   * A WebSocket (or the signaling socket): says {@code connected}, then the unread count, then
   * the offline queue. {@code ready} runs once the implicit streams are joined: client frames wait
   * until then (the transport does not read before).
   */
  public void openSocket(Runnable ready) {
    openingCountPending = kind.implicitStreams;
    register();
    RealtimeConfig config = gateway.config();
    sendJson(Frames.typed(FrameType.CONNECTED)
        .put("connectionId", id)
        .put("userId", principal.userId())
        .put("node", config.nodeId())
        .put("heartbeatMs", config.heartbeatMs())
        .put("limits", new JsonObject()
            .put("maxFrameBytes", config.maxFrameBytes())
            .put("messagesPerMinute", config.messagesPerMinute())));
    if (!kind.implicitStreams) {
      ready.run();
      return;
    }
    unreadAndWatermark().onComplete(read -> {
      if (closed) {
        return;
      }
      broadcast = follow(Channel.BROADCAST, null, null, SILENT);
      if (read.failed()) {
        notificationsUnavailable(read.cause());
      } else {
        // unread_count goes out when the stream has its position, right before the offline queue.
        notifications = follow(Streams.notificationsKey(principal.userId()), read.result()[1], null, new StartListener() {
          @Override
          public void started(StreamPosition position, boolean recovered) {
            sendOpeningCount(read.result()[0]);
          }

          @Override
          public void failed(RealtimeException error) {
            openingCountPending = false;
            sendError(null, error);
          }
        });
      }
      ready.run();
    });
  }

  /**
   * An SSE stream: every stream is joined before {@code connected}, so a client that has seen it
   * gets everything published after; then {@code unread_count}, what could not be recovered, the
   * replay and live events.
   */
  public void openStream(Cursor from, List<String> requested) {
    openingCountPending = true;
    register();
    held = new ArrayList<>();
    unreadAndWatermark().onComplete(read -> {
      if (closed) {
        return;
      }
      long watermark = read.succeeded() ? read.result()[1] : -1;
      followAll(from, requested, watermark, () -> {
        List<Runnable> queued = held;
        held = null;
        transport.send(FrameType.CONNECTED, new JsonObject().put("type", FrameType.CONNECTED).put("connectionId", id)
            .put("userId", principal.userId()).put("node", gateway.config().nodeId()).toBuffer(), null);
        if (read.failed()) {
          notificationsUnavailable(read.cause());
        } else {
          sendOpeningCount(read.result()[0]);
        }
        if (!lost.isEmpty()) {
          send("recovered", new JsonObject().put("recovered", false).put("channels", new JsonArray(lost)).toBuffer(), null);
        }
        queued.forEach(Runnable::run);
        flushSoon();
      });
    });
  }

  /**
   * A long-poll: held until there is at least one event, then answered with the cursor after the
   * last one, or at {@code timeoutMs} with none. The first poll (no cursor) starts with the unread
   * count and the offline queue.
   */
  public void openPoll(Cursor from, List<String> requested, long timeoutMs, boolean first) {
    written.putAll(from); // answered early (shutdown), the reply still carries the client's place
    openingCountPending = first;
    register();
    pollRooms = requested.stream().filter(this::tracksPresence).toList();
    gateway.pollPresence().started(principal.userId(), pollRooms);
    held = new ArrayList<>();
    unreadAndWatermark().onComplete(read -> {
      if (closed) {
        return;
      }
      // Never answered before every stream has its position: the reply's cursor must name them all.
      pollTimer = shard.context().owner().setTimer(Math.max(1, timeoutMs), t -> {
        if (held == null) {
          answerPoll();
        } else {
          pollTimedOut = true;
        }
      });
      if (read.failed()) {
        notificationsUnavailable(read.cause());
      } else if (first) {
        sendUnreadCount(read.result()[0]); // held first: before any replayed event
      }
      followAll(from, requested, read.succeeded() ? read.result()[1] : -1, () -> {
        List<Runnable> queued = held;
        held = null;
        queued.forEach(Runnable::run);
        if (pollTimedOut || timeoutMs == 0) {
          answerPoll();
        } else if (wroteAny || !lost.isEmpty()) {
          flushSoon();
        }
      });
      if (first && read.succeeded()) {
        endOpeningAfterQueue(read.result()[0]);
      }
    });
  }

  /** The user's notification state could not be read: said once, and the session carries on from now. */
  private void notificationsUnavailable(Throwable cause) {
    openingCountPending = false;
    LOG.log(Level.WARNING, "notification state unavailable user=" + principal.userId(), cause);
    sendError(null, new RealtimeException(ErrorCode.UNAVAILABLE, "notifications unavailable; reconnect later to get them"));
    if (kind.implicitStreams && notifications == null && !kind.cursors) {
      notifications = follow(Streams.notificationsKey(principal.userId()), null, null, SILENT);
    }
  }

  /** The unread count read on open; the opening ends once the offline queue after it is out. */
  private void sendOpeningCount(long count) {
    sendUnreadCount(count);
    endOpeningAfterQueue(count);
  }

  /**
   * Ends the opening once the notification stream is live (its offline queue written): when a live
   * count came meanwhile, the count is read again and sent if it changed, so the client ends with
   * the newest and nothing comes between the opening count and the queue.
   */
  private void endOpeningAfterQueue(long openingCount) {
    Subscription queue = notifications;
    if (queue != null && !queue.live() && !queue.cancelled()) {
      queue.whenLive(() -> endOpening(openingCount));
    } else {
      endOpening(openingCount);
    }
  }

  private void endOpening(long openingCount) {
    openingCountPending = false;
    if (countChangedWhileOpening) {
      onThisLoop(gateway.store().notifications().unread(principal.userId())).onSuccess(now -> {
        if (now != openingCount && !closed) {
          sendUnreadCount(now);
          flushSoon();
        }
      });
    }
  }

  private void sendUnreadCount(long count) {
    send(FrameType.UNREAD_COUNT, Buffer.buffer(Frames.unreadCount(count)), null);
  }

  /** Joins the shard (user events) and reports the connection to presence. */
  private void register() {
    shard.add(this);
    gateway.limits().opened(principal.userId());
    gateway.metrics().opened(transport.name());
    if (kind.reportsPresence) {
      presence(Addresses.PRESENCE_CONNECT,
          new PresenceRequests.Connect(gateway.incarnation(), principal.userId(), id, transport.name()).toJson());
    }
  }

  /**
   * Answers the user's unread count and the seq above which notifications are still queued (the
   * {@code deliveredUpTo} watermark), read together on open.
   */
  private Future<long[]> unreadAndWatermark() {
    String user = principal.userId();
    return onThisLoop(Future.all(gateway.store().notifications().unread(user), gateway.store().notifications().deliveredUpTo(user))
        .map(both -> new long[] {both.<Long>resultAt(0), both.<Long>resultAt(1)}));
  }

  /**
   * Cursor transports follow every stream: each from the request cursor's position, or (absent
   * there) from now, except notifications, which without a cursor start at the watermark (the
   * offline queue; -1 when unknown: from now). Runs {@code allStarted} once every stream has its position.
   */
  private void followAll(Cursor from, List<String> requested, long watermark, Runnable allStarted) {
    List<String> names = new ArrayList<>();
    names.add(Channel.NOTIFICATIONS);
    names.add(Channel.BROADCAST);
    requested.stream().filter(c -> !names.contains(c)).forEach(names::add);
    starting = names.size();
    for (String name : names) {
      StreamPosition at = from.get(name);
      if (at != null) {
        written.put(name, at); // until it starts, resuming from here loses nothing
      }
      Long since = at != null ? Long.valueOf(at.seq())
          : name.equals(Channel.NOTIFICATIONS) && watermark >= 0 ? Long.valueOf(watermark) : null;
      String epoch = at == null ? null : at.epoch();
      StartListener listener = new StartListener() {
        @Override
        public void started(StreamPosition position, boolean recovered) {
          if (at != null) {
            gateway.metrics().resumed(transport.name(), recovered);
            if (!recovered) {
              lost.add(name);
            }
          }
          written.put(name, recovered ? new StreamPosition(since, position.epoch()) : position);
          if (--starting == 0) {
            allStarted.run();
          }
        }

        @Override
        public void failed(RealtimeException error) {
          if (at != null) {
            gateway.metrics().resumed(transport.name(), false);
          }
          if (name.equals(Channel.NOTIFICATIONS)) {
            openingCountPending = false; // no queue comes: live counts flow from here
          }
          lost.add(name);
          if (--starting == 0) {
            allStarted.run();
          }
        }
      };
      String key = name.equals(Channel.NOTIFICATIONS) ? Streams.notificationsKey(principal.userId()) : name;
      Subscription subscription = follow(key, since, epoch, listener);
      switch (name) {
        case Channel.NOTIFICATIONS -> notifications = subscription;
        case Channel.BROADCAST -> broadcast = subscription;
        default -> {
          channels.put(name, subscription);
          joinRoom(name);
        }
      }
    }
  }

  // ---- client requests (from the inbound pipeline; already authorized and charged) -----------

  /**
   * {@code subscribe}: the first follows the stream (from {@code since} when given), a repeat
   * answers where the session stands (replaying only what is asked again).
   */
  public void subscribe(Channel channel, Long since, String epoch, String ref) {
    StartListener answer = subscribedAnswer(channel.name(), ref, since != null);
    Subscription existing = switch (channel.name()) {
      case Channel.NOTIFICATIONS -> notifications;
      case Channel.BROADCAST -> broadcast;
      default -> channels.get(channel.name());
    };
    if (existing != null) {
      refollow(existing, since, epoch, answer);
      return;
    }
    if (channels.size() >= MAX_SUBSCRIPTIONS) {
      throw RealtimeException.badRequest("too many subscriptions (at most " + MAX_SUBSCRIPTIONS + " per connection)");
    }
    channels.put(channel.name(), follow(channel.name(), since, epoch, answer));
    joinRoom(channel.name());
  }

  private StartListener subscribedAnswer(String channel, String ref, boolean resuming) {
    return new StartListener() {
      @Override
      public void started(StreamPosition position, boolean recovered) {
        if (resuming) {
          gateway.metrics().resumed(transport.name(), recovered);
        }
        sendJson(withRef(Frames.subscribed(channel, position, recovered), ref));
      }

      @Override
      public void failed(RealtimeException error) {
        Subscription failed = channels.get(channel);
        if (failed != null && failed.cancelled()) {
          channels.remove(channel);
        }
        sendError(ref, error);
      }
    };
  }

  /** Throws unless {@code channel} is one this session may leave now (an explicit subscription of it). */
  public void checkUnsubscribe(Channel channel) {
    if (channel.name().equals(Channel.BROADCAST) || channel.name().equals(Channel.NOTIFICATIONS)) {
      throw RealtimeException.badRequest(channel.name() + " is implicit on every connection and cannot be left");
    }
    if (!channels.containsKey(channel.name())) {
      throw new RealtimeException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + channel.name());
    }
  }

  /**
   * {@code unsubscribe} (checked by {@link #checkUnsubscribe}): a subscribe still starting gets its
   * {@code subscribed} (and any replay it asked for) first.
   */
  public void unsubscribe(Channel channel, String ref) {
    checkUnsubscribe(channel);
    Subscription subscription = channels.remove(channel.name());
    leaveRoom(channel.name());
    subscription.whenLive(() -> {
      unfollow(subscription);
      sendJson(withRef(Frames.typed(FrameType.UNSUBSCRIBED).put("channel", channel.name()), ref));
    });
  }

  /**
   * Chains a request after this connection's earlier ones: seqs and acks keep the client's order,
   * and so do typing and signals, which the bus would otherwise hand to whichever chat instance
   * is next (a stop could overtake its start).
   */
  public <T> Future<T> inOrder(java.util.function.Supplier<Future<T>> request) {
    Future<T> result = sending.transform(previous -> request.get());
    sending = result;
    return result;
  }

  /** Sends the reply a request future produces, or its error, with the ref (a flood found late closes the session). */
  public void reply(Future<JsonObject> result, String ref) {
    onThisLoop(result)
        .onSuccess(frame -> sendJson(withRef(frame, ref)))
        .onFailure(failure -> refuse(ref, failure));
  }

  /** Nothing to say on success; an error with the ref on failure. */
  public void replyOnlyOnError(Future<?> result, String ref) {
    onThisLoop(result).onFailure(failure -> refuse(ref, failure));
  }

  /** Answers a refused request: the error, and for a flood the close. */
  public void refuse(String ref, Throwable failure) {
    RealtimeException error = RealtimeException.from(failure);
    sendError(ref, error);
    if (error instanceof Flooding) {
      close(Disconnect.FLOODING, 0, null);
    }
  }

  /** Sends a reply object with the request's {@code ref} (nullable). */
  public void answer(JsonObject frame, String ref) {
    sendJson(withRef(frame, ref));
  }

  /** Sends one server object (a {@code pong}, an {@code ack}, …). */
  public void sendJson(JsonObject frame) {
    send(frame.getString("type"), frame.toBuffer(), null);
  }

  public void sendError(String ref, RealtimeException e) {
    gateway.metrics().errorSent(e.code());
    sendJson(withRef(Frames.error(e), ref));
  }

  private static JsonObject withRef(JsonObject frame, String ref) {
    return ref == null ? frame : frame.put("ref", ref);
  }

  // ---- outbound -----------------------------------------------------------------------------

  /** Writes a delivery of a followed stream, keeping the cursor and the offline-queue watermark up to date. */
  void send(Subscription subscription, Delivery delivery) {
    if (closed || budget.overLimit()) {
      return;
    }
    if (delivery.kind() == Envelope.Kind.BINARY) {
      transport.sendBinary(delivery.json());
      budget.noticeBacklog();
      flushSoon();
      return;
    }
    String cursor = null;
    if (kind.cursors && delivery.sequenced()) {
      String name = Streams.isNotifications(subscription.key()) ? Channel.NOTIFICATIONS : subscription.key();
      written.put(name, new StreamPosition(delivery.seq(), delivery.epoch()));
      cursor = kind == Kind.SSE ? written.encode() : null;
    }
    gotNotification |= delivery.kind() == Envelope.Kind.NOTIFICATION;
    send(delivery, cursor);
    if (delivery.kind() == Envelope.Kind.NOTIFICATION && delivery.seq() > deliveredMarked) {
      deliveredMarked = delivery.seq();
      gateway.store().notifications().markDelivered(principal.userId(), delivery.seq())
          .onFailure(e -> LOG.log(Level.WARNING, "cannot record delivery user=" + principal.userId(), e));
    }
  }

  /** Writes one object to the transport (held while a cursor transport's streams start), counted and budgeted. */
  private void send(String type, Buffer json, String cursor) {
    if (closed) {
      return;
    }
    if (held != null && !FrameType.ERROR.equals(type)) {
      held.add(() -> send(type, json, cursor));
      return;
    }
    transport.send(type, json, cursor);
    written();
  }

  /** Writes a stream's delivery (as {@link #send(String, Buffer, String)}; the transport may share its bytes). */
  private void send(Delivery delivery, String cursor) {
    if (closed) {
      return;
    }
    if (held != null) {
      held.add(() -> send(delivery, cursor));
      return;
    }
    transport.send(delivery, cursor);
    written();
  }

  private void written() {
    wroteAny = true;
    gateway.metrics().written(1);
    budget.noticeBacklog();
    flushSoon();
  }

  private void flushSoon() {
    shard.flushAtEndOfTurn(this);
  }

  /** The end of this event-loop turn: the transport sends what it batched; a poll with events is answered. */
  void flush() {
    if (closed) {
      return;
    }
    transport.flush();
    if (kind == Kind.POLL && held == null && (wroteAny || !lost.isEmpty()) && !answerScheduled) {
      answerPoll();
    }
  }

  /**
   * Answers the poll. A reply that carries a notification ends with the current unread count:
   * counts are pushed live, and a poll that was not held when one went out would miss it.
   */
  private void answerPoll() {
    if (closed || answerScheduled) {
      return;
    }
    answerScheduled = true;
    shard.context().owner().cancelTimer(pollTimer);
    Future<Void> count = !gotNotification ? Future.succeededFuture()
        : onThisLoop(gateway.store().notifications().unread(principal.userId()))
            .map(unread -> {
              transport.send(FrameType.UNREAD_COUNT, Buffer.buffer(Frames.unreadCount(unread)), null);
              return (Void) null;
            })
            .otherwiseEmpty();
    count.onComplete(v -> end(null, 0, null));
  }

  /** A user event: the unread count, a signal, or a service's order to disconnect. */
  void onUserEvent(Delivery delivery) {
    switch (delivery.kind()) {
      case SIGNAL -> send(delivery.type(), delivery.json(), null);
      case UNREAD_COUNT -> {
        if (openingCountPending) {
          countChangedWhileOpening = true;
        } else if (kind != Kind.SIGNALING) {
          send(delivery.type(), delivery.json(), null);
        }
      }
      case DISCONNECT -> close(Disconnect.BY_SERVICE, 0, (String) io.vertx.core.json.Json.decodeValue(delivery.json()));
      default -> LOG.warning("unexpected user event " + delivery.kind());
    }
  }

  /** A subscription holds {@code bytes} more (or, negative, fewer) of live events during a replay. */
  void buffered(long bytes) {
    budget.buffered(bytes);
  }

  /** The transport wrote some of its backlog (the slow-consumer clock may stop, paced replays resume). */
  public void onDrained() {
    budget.drained();
  }

  // ---- liveness and ends ----------------------------------------------------------------------

  /** Called every quarter heartbeat: a slow consumer, an expired token or a silent client ends the session. */
  public void heartbeat(long now) {
    if (closed) {
      return;
    }
    if (budget.tooSlow(now)) {
      gateway.metrics().slowConsumer();
      close(Disconnect.SLOW_CONSUMER, 0, null);
    } else if (principal.expiresAtMs() > 0 && now >= principal.expiresAtMs()) {
      close(Disconnect.TOKEN_EXPIRED, 0, null);
    } else {
      Disconnect silent = transport.heartbeat(now);
      if (silent != null) {
        close(silent, 0, null);
      }
    }
  }

  /** Graceful shutdown: tells the client to come back after {@code afterMs} (to another node), then ends. */
  public Future<Void> goAway(long afterMs) {
    close(Disconnect.SHUTTING_DOWN, afterMs, null);
    return finished.future();
  }

  /** Past the outbound limit: closed once the current delivery loop is done (closing unsubscribes, which it iterates). */
  void closeSoon(Disconnect why) {
    gateway.metrics().slowConsumer();
    shard.context().runOnContext(v -> close(why, 0, null));
  }

  /** Ends the session: the transport's goodbye for {@code why} (a reconnect advice first where it has one), then cleanup. */
  public void close(Disconnect why, long afterMs, String reason) {
    if (closed) {
      return;
    }
    lastWords(why, afterMs, reason);
    if (why == Disconnect.SLOW_CONSUMER || why == Disconnect.OUTBOUND_LIMIT) {
      LOG.info("slow consumer closed user=" + principal.userId() + " connection=" + id + " transport=" + transport.name()
          + " reason=" + why.reason());
    }
    end(why, afterMs, reason);
  }

  /**
   * What the client reads before the end: a WebSocket is told {@code reconnect} before a shutdown
   * (its close code says the rest); an SSE stream, which has no close code, gets the event its
   * {@link Disconnect.SseFarewell} names; a poll is simply answered.
   */
  private void lastWords(Disconnect why, long afterMs, String reason) {
    held = null; // a stream still starting says its last words at once
    JsonObject reconnect = Frames.typed(FrameType.RECONNECT).put("afterMs", afterMs);
    switch (kind) {
      case WEBSOCKET, SIGNALING -> {
        if (why == Disconnect.SHUTTING_DOWN) {
          sendJson(reconnect);
        }
      }
      case SSE -> {
        switch (why.sseFarewell()) {
          case ERROR -> sendError(null, new RealtimeException(ErrorCode.UNAUTHORIZED, why.reason()));
          case RECONNECT -> sendJson(reason == null ? reconnect : reconnect.put("reason", reason));
          case NONE -> {
          }
        }
      }
      case POLL -> {
      }
    }
  }

  private void end(Disconnect why, long afterMs, String reason) {
    if (closed) {
      return;
    }
    transport.flush(); // an error or reconnect written just before must reach the client
    Future<Void> goodbye = transport.close(why, afterMs, reason);
    cleanup();
    goodbye.onComplete(done -> finished.tryComplete());
  }

  /** The transport noticed the client went away (closed, reset). */
  public void onClosed() {
    cleanup();
    finished.tryComplete();
  }

  /** The one cleanup path: releases every subscription, leaves the shard, tells presence (rooms included). Idempotent. */
  private void cleanup() {
    if (closed) {
      return;
    }
    closed = true;
    if (pollTimer >= 0) {
      shard.context().owner().cancelTimer(pollTimer);
    }
    shard.remove(this);
    gateway.limits().closed(principal.userId());
    gateway.metrics().closed(transport.name());
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
    if (kind.reportsPresence) {
      presence(Addresses.PRESENCE_DISCONNECT,
          new PresenceRequests.Disconnect(gateway.incarnation(), principal.userId(), id, rooms == null ? List.of() : List.copyOf(rooms)).toJson());
    }
    if (pollRooms != null) {
      gateway.pollPresence().ended(principal.userId(), pollRooms);
    }
  }

  boolean closed() {
    return closed;
  }

  // ---- streams ------------------------------------------------------------------------------

  /**
   * Follows a stream. {@code since} (nullable) asks for the events after it; the listener hears
   * the position and whether the replay is complete, then the replay is written, then live events.
   */
  private Subscription follow(String key, Long since, String clientEpoch, StartListener listener) {
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
  private void refollow(Subscription subscription, Long since, String clientEpoch, StartListener listener) {
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

  /** Reads (since, position] from the store, writes it paced to the client, then lets live events through. */
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

  /** Writes replayed events while the client takes them, resuming on drain; live events wait in the subscription. */
  private void writePaced(Subscription subscription, List<Delivery> items, int from, StreamPosition position) {
    int next = from;
    while (next < items.size() && !closed && !subscription.cancelled()) {
      if (!budget.writable()) {
        int resumeAt = next;
        budget.whenWritable(() -> writePaced(subscription, items, resumeAt, position));
        return;
      }
      Delivery delivery = items.get(next++);
      if (delivery.seq() <= position.seq()) {
        send(subscription, delivery);
      }
    }
    subscription.goLive(position);
  }

  private void unfollow(Subscription subscription) {
    if (!subscription.cancelled()) {
      subscription.cancel();
      shard.unsubscribe(subscription);
      if (isChannel(subscription.key())) {
        gateway.metrics().subscriptions(-1);
      }
    }
  }

  // ---- presence -----------------------------------------------------------------------------

  /** Tells presence this session follows a room, when its namespace tracks presence. */
  private void joinRoom(String channel) {
    if (!kind.reportsPresence || !tracksPresence(channel)) {
      return;
    }
    if (rooms == null) {
      rooms = new LinkedHashSet<>();
    }
    if (rooms.add(channel)) {
      presence(Addresses.PRESENCE_JOIN, new PresenceRequests.Membership(gateway.incarnation(), channel, principal.userId(), id).toJson());
    }
  }

  private void leaveRoom(String channel) {
    if (rooms != null && rooms.remove(channel)) {
      presence(Addresses.PRESENCE_LEAVE, new PresenceRequests.Membership(gateway.incarnation(), channel, principal.userId(), id).toJson());
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
    gateway.bus().request(address, body)
        .onFailure(e -> LOG.log(Level.FINE, "presence not told user=" + principal.userId() + " connection=" + id, e));
  }

  /** Completes on this session's event loop, whatever thread completes {@code future}. */
  <T> Future<T> onThisLoop(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> shard.context().runOnContext(v -> promise.handle(result)));
    return promise.future();
  }

  /** Rate limited, and far past the limit: the session is closed ({@link Disconnect#FLOODING}). */
  public static final class Flooding extends RealtimeException {
    public Flooding(String message, long retryAfterMs) {
      super(ErrorCode.RATE_LIMITED, message, retryAfterMs);
    }
  }
}
