package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Channel streams in this JVM's memory (the embedded default). Each channel is guarded by its own
 * lock, so appends on different channels from different event loops never contend; every
 * operation is a few map and deque steps, never blocking IO. Only appends store a channel; a
 * channel's life count outlives its data by {@link #STATE_HORIZON_MS}, so its next life gets the
 * next epoch ({@link HistoryStore#position}).
 */
final class InMemoryHistoryStore implements HistoryStore {
  /** Lost with the process, like everything here: a restarted node never reuses an epoch. */
  private final String generation = Ids.shortRandom();
  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
  private final Function<String, HistoryLimits> limitsOf;
  private final LongSupplier clock;

  InMemoryHistoryStore(Function<String, HistoryLimits> limitsOf, LongSupplier clock) {
    this.limitsOf = limitsOf;
    this.clock = clock;
  }

  /**
   * One channel: the state a Redis state hash + log + idempotency keys hold. A stream whose
   * {@code expiresAt} passed is between lives: it keeps only its life count (until the horizon).
   */
  private static final class Stream {
    final ArrayDeque<StoredMessage> messages = new ArrayDeque<>();
    final Map<String, StoredMessage> idempotent = new HashMap<>();
    final ArrayDeque<String> idemOrder = new ArrayDeque<>();
    long life = -1;
    String epoch;
    long seq;
    long expiresAt;
    /** Dropped from the map by the sweep: an append that holds it must look the channel up again. */
    boolean dead;

    boolean live(long now) {
      return life >= 0 && expiresAt > now;
    }

    /** Starts the next life (empty, seq 0) in its epoch. */
    void reborn(String generation, long now, long lifetimeMs) {
      life++;
      epoch = generation + "." + life;
      seq = 0;
      messages.clear();
      idempotent.clear();
      idemOrder.clear();
      expiresAt = now + lifetimeMs;
    }

    synchronized void trim(long now, HistoryLimits limits) {
      while (messages.size() > limits.size()) {
        messages.removeFirst();
      }
      long oldest = now - limits.ttlSeconds() * 1000;
      while (!messages.isEmpty() && messages.peekFirst().ts() < oldest) {
        messages.removeFirst();
      }
      for (Iterator<String> keys = idemOrder.iterator(); keys.hasNext(); ) {
        String key = keys.next();
        StoredMessage original = idempotent.get(key);
        if (original != null && original.ts() >= now - IDEMPOTENCY_TTL_MS) {
          break;
        }
        idempotent.remove(key);
        keys.remove();
      }
    }

    synchronized HistoryPage after(long since, int limit) {
      List<StoredMessage> page = new ArrayList<>(Math.max(0, Math.min(limit, messages.size())));
      for (StoredMessage message : messages) {
        if (page.size() >= limit) {
          break;
        }
        if (message.seq() > since) {
          page.add(message);
        }
      }
      long firstKept = messages.isEmpty() ? seq + 1 : messages.peekFirst().seq();
      return new HistoryPage(new StreamPosition(seq, epoch), page, since >= firstKept - 1 && since <= seq);
    }

    synchronized HistoryPage latest(int limit) {
      List<StoredMessage> all = new ArrayList<>(messages);
      List<StoredMessage> page = all.subList(Math.max(0, all.size() - Math.max(0, limit)), all.size());
      return new HistoryPage(new StreamPosition(seq, epoch), List.copyOf(page), true);
    }
  }

  /** Like the Redis state's expiry: a stream lives as long as its history and idempotency keys may. */
  private static long lifetime(HistoryLimits limits) {
    return Math.max(limits.ttlSeconds() * 1000, IDEMPOTENCY_TTL_MS);
  }

  /** The epoch the channel's next life will have (what a read of a channel not alive answers). */
  private String nextEpoch(Stream between) {
    return generation + "." + (between == null ? 0 : between.life + 1);
  }

  /** The channel's stream if alive now, else null. */
  private Stream live(String channel) {
    Stream stream = streams.get(channel);
    if (stream == null) {
      return null;
    }
    synchronized (stream) {
      return stream.live(clock.getAsLong()) ? stream : null;
    }
  }

  /** Where a channel that is not alive reads: seq 0, in the epoch of its next life. */
  private StreamPosition notAlive(String channel) {
    Stream between = streams.get(channel);
    if (between == null) {
      return new StreamPosition(0, nextEpoch(null));
    }
    synchronized (between) {
      return between.live(clock.getAsLong()) ? new StreamPosition(between.seq, between.epoch) : new StreamPosition(0, nextEpoch(between));
    }
  }

  @Override
  public Future<AppendResult> append(String channel, MessageDraft draft, String idemKey) {
    HistoryLimits limits = limitsOf.apply(channel);
    long now = clock.getAsLong();
    while (true) {
      Stream stream = streams.computeIfAbsent(channel, name -> new Stream());
      synchronized (stream) {
        if (stream.dead) {
          continue; // swept between lookup and lock: take the new one
        }
        return Future.succeededFuture(append(stream, draft, idemKey, limits, now));
      }
    }
  }

  /** Appends to a stream the caller holds the lock of; a stream between lives starts its next one. */
  private AppendResult append(Stream stream, MessageDraft draft, String idemKey, HistoryLimits limits, long now) {
    if (!stream.live(now)) {
      stream.reborn(generation, now, lifetime(limits));
    }
    stream.trim(now, limits);
    if (idemKey != null) {
      StoredMessage original = stream.idempotent.get(idemKey);
      if (original != null) {
        return new AppendResult(original, stream.epoch, true);
      }
    }
    StoredMessage message = draft.withSeq(++stream.seq);
    stream.messages.addLast(message);
    stream.trim(now, limits);
    if (idemKey != null) {
      stream.idempotent.put(idemKey, message);
      stream.idemOrder.addLast(idemKey);
    }
    stream.expiresAt = now + lifetime(limits);
    return new AppendResult(message, stream.epoch, false);
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    return Future.succeededFuture(notAlive(channel));
  }

  @Override
  public Future<AppendResult> repeat(String channel, String idemKey) {
    Stream stream = trimmed(channel);
    if (stream == null) {
      return Future.succeededFuture(null);
    }
    synchronized (stream) {
      StoredMessage original = stream.idempotent.get(idemKey);
      return Future.succeededFuture(original == null ? null : new AppendResult(original, stream.epoch, true));
    }
  }

  @Override
  public Future<HistoryPage> after(String channel, long since, int limit) {
    Stream stream = trimmed(channel);
    return Future.succeededFuture(stream != null ? stream.after(since, limit)
        : new HistoryPage(notAlive(channel), List.of(), since == 0));
  }

  @Override
  public Future<HistoryPage> latest(String channel, int limit) {
    Stream stream = trimmed(channel);
    return Future.succeededFuture(stream != null ? stream.latest(limit) : new HistoryPage(notAlive(channel), List.of(), true));
  }

  /** The channel's live stream with messages past their age dropped (null when not alive). */
  private Stream trimmed(String channel) {
    Stream stream = live(channel);
    if (stream != null) {
      stream.trim(clock.getAsLong(), limitsOf.apply(channel));
    }
    return stream;
  }

  /** How many channels are stored, between lives included (tests: reads must store nothing). */
  int storedChannels() {
    return streams.size();
  }

  /**
   * Frees what expired (called periodically): the data of streams between lives, and whole
   * channels past the horizon.
   */
  void sweep() {
    long now = clock.getAsLong();
    streams.entrySet().removeIf(entry -> {
      Stream stream = entry.getValue();
      synchronized (stream) {
        if (stream.live(now)) {
          return false;
        }
        stream.messages.clear();
        stream.idempotent.clear();
        stream.idemOrder.clear();
        stream.dead = now - stream.expiresAt >= STATE_HORIZON_MS;
        return stream.dead;
      }
    });
  }
}
