package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;

/** What the client keeps per followed stream: listeners, order, and where a resubscribe resumes. */
final class Stream {
  final String name;
  /** {@code notifications} and {@code broadcast}: followed by every connection without asking. */
  final boolean implicit;
  final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();
  final Sequencer sequencer;
  final CompletableFuture<Subscribed> ready = new CompletableFuture<>();
  /** The ref of the last subscribe sent: answers to older ones are ignored. */
  String ref;
  /** The last subscribe asked for {@code since}: a {@code recovered:false} answer means a loss. */
  boolean askedSince;
  /**
   * Implicit streams resubscribed with {@code since}: their events arrive before the answer (the
   * server sends the offline queue at once) and wait here, so the replay that follows the answer
   * can go first.
   */
  List<JsonNode> gate;
  ScheduledFuture<?> gapTimer;

  Stream(String name, boolean implicit, java.util.function.Consumer<JsonNode> deliver) {
    this.name = name;
    this.implicit = implicit;
    this.sequencer = new Sequencer(deliver);
  }

  void openGate() {
    gate = new ArrayList<>();
  }

  Position position() {
    Long last = sequencer.last();
    return last == null ? null : new Position(last, sequencer.epoch());
  }
}
