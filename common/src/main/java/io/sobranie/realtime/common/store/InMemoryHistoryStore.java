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
 * operation is a few map and deque steps, never blocking IO.
 */
final class InMemoryHistoryStore implements HistoryStore {
  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
  private final Function<String, HistoryLimits> limitsOf;
  private final LongSupplier clock;

  InMemoryHistoryStore(Function<String, HistoryLimits> limitsOf, LongSupplier clock) {
    this.limitsOf = limitsOf;
    this.clock = clock;
  }

  /** One channel: the state a Redis seq key + stream + idempotency keys hold. */
  private static final class Stream {
    final String epoch = Ids.shortRandom();
    final ArrayDeque<StoredMessage> messages = new ArrayDeque<>();
    final Map<String, StoredMessage> idempotent = new HashMap<>();
    final ArrayDeque<String> idemOrder = new ArrayDeque<>();
    long seq;
    long expiresAt;
    /** Dropped from the map once expired; a later access starts a new epoch. */
    boolean dead;

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
          if (page.size() == limit) {
            break;
          }
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

  /**
   * The live stream of a channel; a missing or expired one is replaced by a fresh one (new epoch),
   * reads included, so the epoch a subscriber is told stays the one its later messages carry.
   */
  private Stream stream(String channel) {
    long now = clock.getAsLong();
    return streams.compute(channel, (name, existing) -> {
      if (existing != null) {
        synchronized (existing) {
          if (existing.expiresAt > now) {
            return existing;
          }
          existing.dead = true;
        }
      }
      Stream fresh = new Stream();
      fresh.expiresAt = now + lifetime(limitsOf.apply(channel));
      return fresh;
    });
  }

  /** Like the Redis seq key's expiry: a stream lives as long as its history and idempotency keys may. */
  private static long lifetime(HistoryLimits limits) {
    return Math.max(limits.ttlSeconds() * 1000, IDEMPOTENCY_TTL_MS);
  }

  @Override
  public Future<AppendResult> append(String channel, MessageDraft draft, String idemKey) {
    HistoryLimits limits = limitsOf.apply(channel);
    long now = clock.getAsLong();
    while (true) {
      Stream stream = stream(channel);
      synchronized (stream) {
        if (stream.dead) {
          continue; // replaced between lookup and lock: use the new one
        }
        stream.trim(now, limits);
        if (idemKey != null) {
          StoredMessage original = stream.idempotent.get(idemKey);
          if (original != null) {
            return Future.succeededFuture(new AppendResult(original, stream.epoch, true));
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
        return Future.succeededFuture(new AppendResult(message, stream.epoch, false));
      }
    }
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    Stream stream = stream(channel);
    synchronized (stream) {
      return Future.succeededFuture(new StreamPosition(stream.seq, stream.epoch));
    }
  }

  @Override
  public Future<HistoryPage> after(String channel, long since, int limit) {
    Stream stream = trimmed(channel);
    return Future.succeededFuture(stream.after(since, limit));
  }

  @Override
  public Future<HistoryPage> latest(String channel, int limit) {
    return Future.succeededFuture(trimmed(channel).latest(limit));
  }

  /** The channel's stream with messages past their age dropped, so reads never serve expired history. */
  private Stream trimmed(String channel) {
    Stream stream = stream(channel);
    stream.trim(clock.getAsLong(), limitsOf.apply(channel));
    return stream;
  }

  /** Drops streams that have expired (called periodically so abandoned channels free their memory). */
  void sweep() {
    long now = clock.getAsLong();
    streams.entrySet().removeIf(entry -> {
      synchronized (entry.getValue()) {
        if (entry.getValue().expiresAt <= now) {
          entry.getValue().dead = true;
          return true;
        }
        return false;
      }
    });
  }
}
