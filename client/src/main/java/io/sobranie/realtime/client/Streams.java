package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The streams a client follows (its channels, plus {@code notifications} and {@code broadcast},
 * which every connection gets) and what the app is handed from them: each event once, in seq
 * order, and a {@link NotRecovered} when that cannot be. The {@link Session} sends the frames;
 * this class keeps the positions and reads the answers. Loop thread only.
 */
final class Streams {
  private final Loop loop;
  private final Listeners listeners;
  private final Map<String, Stream> channels = new LinkedHashMap<>();
  final Stream notifications;
  final Stream broadcast;

  Streams(Loop loop, Listeners listeners) {
    this.loop = loop;
    this.listeners = listeners;
    this.notifications = new Stream(Frames.NOTIFICATIONS, true, n -> listeners.emit(l -> l.onNotification(Notification.of(n))));
    this.broadcast = new Stream(Frames.BROADCAST, true, m -> deliverMessage(Frames.BROADCAST, m));
  }

  /** The followed stream called {@code name}, or null. */
  Stream get(String name) {
    if (Frames.BROADCAST.equals(name)) {
      return broadcast;
    }
    if (Frames.NOTIFICATIONS.equals(name)) {
      return notifications;
    }
    return name == null ? null : channels.get(name);
  }

  /** The subscribed channels (not the implicit streams), in subscribe order. */
  Collection<Stream> channels() {
    return channels.values();
  }

  /** The implicit streams that have delivered something, so a new connection must ask for what it missed. */
  List<Stream> implicitToRecover() {
    return List.of(notifications, broadcast).stream().filter(s -> s.sequencer.last() != null).toList();
  }

  /** Adds a listener; a channel not followed yet is created (at {@code from} when given) and answered as new. */
  Stream follow(String channel, Position from, ChannelListener listener) {
    if (Frames.BROADCAST.equals(channel)) {
      broadcast.listeners.add(listener);
      broadcast.ready.complete(new Subscribed(Frames.BROADCAST, 0, null, false));
      return broadcast;
    }
    Stream stream = channels.get(channel);
    if (stream == null) {
      stream = new Stream(channel, false, m -> deliverMessage(channel, m));
      if (from != null) {
        stream.sequencer.reset(from.seq());
        stream.sequencer.epoch(from.epoch());
      }
      channels.put(channel, stream);
    }
    stream.listeners.add(listener);
    return stream;
  }

  /** Removes a listener; true when it was the channel's last, which is then no longer followed. */
  boolean leave(Stream stream, ChannelListener listener) {
    stream.listeners.remove(listener);
    if (stream.implicit || !stream.listeners.isEmpty() || channels.get(stream.name) != stream) {
      return false;
    }
    channels.remove(stream.name);
    Loop.cancel(stream.gapTimer);
    stream.ready.completeExceptionally(new RealtimeException(RealtimeException.NOT_SUBSCRIBED,
        "unsubscribed before the server answered"));
    return true;
  }

  /** A sequenced event ({@code message}, {@code notification}) of a stream. */
  void sequenced(Stream stream, JsonNode event) {
    if (stream.gate != null) {
      stream.gate.add(event);
      return;
    }
    if (stream.sequencer.accept(Json.number(event, "seq"), event) == Sequencer.Outcome.HELD && stream.gapTimer == null) {
      stream.gapTimer = loop.schedule(ClientOptions.GAP_WAIT_MS, () -> {
        stream.gapTimer = null;
        if (stream.sequencer.holding()) {
          notRecovered(stream, "messages before seq " + (stream.sequencer.last() + 1) + " never arrived");
          stream.sequencer.skipGap();
        }
      });
    }
  }

  /** The server's {@code subscribed}: the stream's position, and whether what was missed is coming. */
  void subscribed(JsonNode frame) {
    Subscribed answer = Subscribed.of(frame);
    Stream stream = get(answer.channel());
    String ref = Json.text(frame, "ref");
    if (stream == null || (ref != null && !ref.equals(stream.ref))) {
      return;
    }
    Sequencer sequencer = stream.sequencer;
    if (stream.askedSince && !answer.recovered()) {
      notRecovered(stream, sequencer.epoch() != null && !sequencer.epoch().equals(answer.epoch())
          ? "the channel's history was reset (new epoch)" : "the server's history no longer reaches back that far");
    }
    if (stream.implicit) {
      List<JsonNode> gated = stream.gate == null ? List.of() : stream.gate;
      stream.gate = null;
      if (!answer.recovered()) {
        sequencer.reset(null);
      }
      sequencer.epoch(answer.epoch());
      gated.forEach(event -> sequenced(stream, event));
    } else {
      if (!stream.askedSince || !answer.recovered()) {
        sequencer.reset(answer.seq());
      }
      sequencer.epoch(answer.epoch());
    }
    stream.askedSince = false;
    stream.ready.complete(answer);
  }

  /**
   * An {@code error} answering the subscribe with {@code ref}: a refused channel is dropped (its
   * {@code ready()} fails); a failed resubscribe of an implicit stream counts as not recovered.
   * Answers whether the ref was a subscribe's.
   */
  boolean refused(String ref, RealtimeException error) {
    Stream stream = all().stream().filter(s -> ref.equals(s.ref)).findFirst().orElse(null);
    if (stream == null) {
      return false;
    }
    RealtimeException refusal = error.withChannel(stream.name);
    if (!stream.implicit) {
      channels.remove(stream.name);
      stream.ready.completeExceptionally(refusal);
    } else if (stream.gate != null) {
      subscribed(Frames.typed(Frames.SUBSCRIBED, ref).put("channel", stream.name).put("recovered", false)
          .put("seq", 0).put("epoch", stream.sequencer.epoch()));
    }
    listeners.error(refusal);
    return true;
  }

  /** The connection ended: answers to its subscribes will not come. */
  void forgetConnection() {
    for (Stream stream : all()) {
      stream.ref = null;
      stream.gate = null;
    }
  }

  /** The client is closed: subscriptions never answered fail. */
  void close() {
    RealtimeException closed = new RealtimeException(RealtimeException.CLOSED, "the client was closed");
    channels.values().forEach(s -> s.ready.completeExceptionally(closed));
  }

  private void deliverMessage(String channel, JsonNode frame) {
    Stream stream = get(channel);
    if (stream != null) {
      Message message = Message.of(frame);
      Listeners.toStream(stream, l -> l.onMessage(message));
    }
  }

  private void notRecovered(Stream stream, String reason) {
    NotRecovered event = new NotRecovered(stream.name, reason);
    Listeners.toStream(stream, l -> l.onNotRecovered(event));
    listeners.emit(l -> l.onNotRecovered(event));
  }

  private List<Stream> all() {
    List<Stream> all = new ArrayList<>(channels.values());
    all.add(notifications);
    all.add(broadcast);
    return all;
  }
}
