package io.sobranie.realtime.client;

import java.util.List;
import java.util.function.Consumer;

/** Hands events to the app's listeners: a listener that throws is logged and does not break the client. */
final class Listeners {
  private static final System.Logger LOG = System.getLogger(Listeners.class.getName());
  private final List<RealtimeListener> all;

  Listeners(List<RealtimeListener> all) {
    this.all = all;
  }

  void emit(Consumer<RealtimeListener> event) {
    all.forEach(l -> call(() -> event.accept(l)));
  }

  void error(RealtimeException error) {
    emit(l -> l.onError(error));
  }

  /** An event for every listener of one stream. */
  static void toStream(Stream stream, Consumer<ChannelListener> event) {
    stream.listeners.forEach(l -> call(() -> event.accept(l)));
  }

  private static void call(Runnable listener) {
    try {
      listener.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a realtime listener threw", e);
    }
  }
}
