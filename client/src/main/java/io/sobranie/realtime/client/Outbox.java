package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Messages published and not yet acknowledged, oldest first, at most {@code limit}. Each keeps its
 * {@code idem} key for life, so a message resent after a lost connection (its ack possibly lost
 * with it) is stored once by the server. Loop thread only.
 */
final class Outbox {
  /** One message; {@code ref} is set while it is sent on the current connection. */
  static final class Entry {
    final String channel;
    final JsonNode data;
    final String idem;
    final CompletableFuture<Ack> result = new CompletableFuture<>();
    String ref;

    Entry(String channel, JsonNode data, String idem) {
      this.channel = channel;
      this.data = data;
      this.idem = idem;
    }
  }

  private final int limit;
  private final List<Entry> entries = new ArrayList<>();

  Outbox(int limit) {
    this.limit = limit;
  }

  /** Queues a message, or answers null when {@code limit} messages already wait. */
  Entry add(String channel, JsonNode data, String idem) {
    if (entries.size() >= limit) {
      return null;
    }
    Entry entry = new Entry(channel, data, idem);
    entries.add(entry);
    return entry;
  }

  /** The messages not sent on the current connection, in order. */
  List<Entry> unsent() {
    return entries.stream().filter(e -> e.ref == null).toList();
  }

  /** The connection is gone: everything unacknowledged goes out again on the next one. */
  void requeue() {
    entries.forEach(e -> e.ref = null);
  }

  void remove(Entry entry) {
    entries.remove(entry);
  }

  /** Fails and forgets every message (the client is closed). */
  void failAll(RealtimeException error) {
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      it.remove();
      entry.result.completeExceptionally(error);
    }
  }

  int size() {
    return entries.size();
  }

  int limit() {
    return limit;
  }
}
