package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** Notification streams in this JVM's memory; each user's stream has its own lock. */
final class InMemoryNotificationStore implements NotificationStore {
  private final ConcurrentHashMap<String, UserStream> users = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  InMemoryNotificationStore(LongSupplier clock) {
    this.clock = clock;
  }

  private static final class UserStream {
    final String epoch = Ids.shortRandom();
    final TreeMap<Long, StoredNotification> items = new TreeMap<>();
    final Map<String, Long> seqById = new HashMap<>();
    long seq;
    long unread;
    long deliveredUpTo;

    void trim(long now) {
      while (!items.isEmpty() && (items.size() > MAX_PER_USER || items.firstEntry().getValue().ts() < now - TTL_MS)) {
        StoredNotification dropped = items.pollFirstEntry().getValue();
        seqById.remove(dropped.id());
        if (!dropped.read()) {
          unread--;
        }
      }
    }

    void markRead(long seq) {
      StoredNotification item = items.get(seq);
      if (item != null && !item.read()) {
        items.put(seq, item.asRead());
        unread--;
      }
    }

    StreamPosition position() {
      return new StreamPosition(seq, epoch);
    }
  }

  private UserStream user(String userId) {
    UserStream stream = users.computeIfAbsent(userId, u -> new UserStream());
    synchronized (stream) {
      stream.trim(clock.getAsLong());
    }
    return stream;
  }

  @Override
  public Future<Appended> append(String userId, String id, String kind, String data, long ts) {
    UserStream stream = user(userId);
    synchronized (stream) {
      StoredNotification item = new StoredNotification(++stream.seq, id, kind, data, ts, false);
      stream.items.put(item.seq(), item);
      stream.seqById.put(id, item.seq());
      stream.unread++;
      stream.trim(clock.getAsLong());
      return Future.succeededFuture(new Appended(item, stream.epoch, stream.unread));
    }
  }

  @Override
  public Future<StreamPosition> position(String userId) {
    UserStream stream = user(userId);
    synchronized (stream) {
      return Future.succeededFuture(stream.position());
    }
  }

  @Override
  public Future<NotificationPage> after(String userId, long since, int limit) {
    UserStream stream = user(userId);
    synchronized (stream) {
      List<StoredNotification> page = new ArrayList<>();
      for (StoredNotification item : stream.items.tailMap(since, false).values()) {
        if (page.size() >= limit) {
          break;
        }
        page.add(item);
      }
      long firstKept = stream.items.isEmpty() ? stream.seq + 1 : stream.items.firstKey();
      boolean complete = since >= firstKept - 1 && since <= stream.seq;
      return Future.succeededFuture(new NotificationPage(stream.position(), page, stream.unread, complete));
    }
  }

  @Override
  public Future<NotificationPage> before(String userId, Long before, int limit) {
    UserStream stream = user(userId);
    synchronized (stream) {
      List<StoredNotification> page = new ArrayList<>();
      Map<Long, StoredNotification> older = before == null ? stream.items.descendingMap()
          : stream.items.headMap(before, false).descendingMap();
      for (StoredNotification item : older.values()) {
        if (page.size() >= limit) {
          break;
        }
        page.add(item);
      }
      return Future.succeededFuture(new NotificationPage(stream.position(), page, stream.unread, true));
    }
  }

  @Override
  public Future<Long> markReadUpTo(String userId, long upTo) {
    UserStream stream = user(userId);
    synchronized (stream) {
      for (Long seq : new ArrayList<>(stream.items.headMap(upTo, true).keySet())) {
        stream.markRead(seq);
      }
      return Future.succeededFuture(stream.unread);
    }
  }

  @Override
  public Future<Long> markRead(String userId, Collection<String> ids) {
    UserStream stream = user(userId);
    synchronized (stream) {
      for (String id : ids) {
        Long seq = stream.seqById.get(id);
        if (seq != null) {
          stream.markRead(seq);
        }
      }
      return Future.succeededFuture(stream.unread);
    }
  }

  @Override
  public Future<Long> unread(String userId) {
    UserStream stream = user(userId);
    synchronized (stream) {
      return Future.succeededFuture(stream.unread);
    }
  }

  @Override
  public Future<Long> deliveredUpTo(String userId) {
    UserStream stream = user(userId);
    synchronized (stream) {
      return Future.succeededFuture(stream.deliveredUpTo);
    }
  }

  @Override
  public Future<Void> markDelivered(String userId, long seq) {
    UserStream stream = user(userId);
    synchronized (stream) {
      stream.deliveredUpTo = Math.max(stream.deliveredUpTo, Math.min(seq, stream.seq));
      return Future.succeededFuture();
    }
  }
}
