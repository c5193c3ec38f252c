package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few connections leased from the client's pool and kept, each a FIFO pipeline. Commands about
 * one stream (a channel, a user, presence) always take the same lane, so commands a caller sends
 * one after another without waiting reach Redis in that order, and a read sent after an append
 * sees it. Sending each command through the pool
 * would not keep that order (two commands may take two connections). A lane whose connection
 * ended or failed is replaced on its next use; commands in flight on it fail.
 *
 * <p>With Sentinel a lane is a connection to the primary the Sentinels named when it opened;
 * through a failover {@link #reopenAfter} lets go of every lane (a dead primary also ends them),
 * and their replacements go to the new primary. In a Redis Cluster a lane is a cluster connection
 * with one socket per primary, opened together: the commands of one key (one slot) all go down the
 * same socket, so they keep their order too — except across a {@code MOVED}/{@code ASK}
 * redirection while an operator migrates that slot, which the client retries on another socket.
 */
final class RedisLanes {
  private final Redis redis;
  private final AtomicReferenceArray<Future<RedisConnection>> lanes;
  /** While set ({@link System#nanoTime()}), lanes are not reopened: see {@link #reopenAfter}. */
  private volatile Long closedUntil;

  RedisLanes(Redis redis, int count) {
    this.redis = redis;
    this.lanes = new AtomicReferenceArray<>(count);
  }

  /** Opens every lane; succeeds once all are connected. */
  Future<Void> open() {
    List<Future<RedisConnection>> all = new ArrayList<>();
    for (int i = 0; i < lanes.length(); i++) {
      all.add(lane(i));
    }
    return Future.all(all).mapEmpty();
  }

  /** Sends on the lane of {@code routingKey}. */
  Future<Response> send(String routingKey, Request request) {
    return lane(Math.floorMod(routingKey.hashCode(), lanes.length())).compose(connection -> connection.send(request));
  }

  /** Sends on lane {@code index} (tests: e.g. to find a lane's connection). */
  Future<Response> sendOn(int index, Request request) {
    return lane(index).compose(connection -> connection.send(request));
  }

  int count() {
    return lanes.length();
  }

  private Future<RedisConnection> lane(int index) {
    Future<RedisConnection> current = lanes.get(index);
    if (current != null && !current.failed()) {
      return current;
    }
    Long until = closedUntil;
    if (until != null) {
      if (System.nanoTime() - until < 0) {
        return Future.failedFuture(new IllegalStateException("the Redis primary is changing (failover); try again shortly"));
      }
      closedUntil = null;
    }
    Promise<RedisConnection> promise = Promise.promise();
    Future<RedisConnection> fresh = promise.future();
    if (!lanes.compareAndSet(index, current, fresh)) {
      return lane(index); // another thread replaced it first
    }
    redis.connect()
        .onSuccess(connection -> connection
            .exceptionHandler(failure -> lanes.compareAndSet(index, fresh, null))
            .endHandler(end -> lanes.compareAndSet(index, fresh, null)))
        .onComplete(promise);
    return fresh;
  }

  /**
   * Lets go of every lane now and opens none for {@code delayMs} (replacing an earlier delay);
   * commands sent meanwhile fail at once, and callers retry. Used through a Sentinel failover
   * ({@link SentinelWatch}): the lanes must leave the old primary before its replica is promoted,
   * and after the switch the client's own view of the topology may predate it for up to its cache
   * time, so reconnecting at once could land on the old primary again.
   */
  void reopenAfter(long delayMs) {
    closedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
    for (int i = 0; i < lanes.length(); i++) {
      Future<RedisConnection> lane = lanes.getAndSet(i, null);
      if (lane != null) {
        lane.onSuccess(RedisConnection::close);
      }
    }
  }

  /** Gives the connections back (the client's close then closes them). */
  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (int i = 0; i < lanes.length(); i++) {
      Future<RedisConnection> lane = lanes.getAndSet(i, null);
      if (lane != null) {
        closing.add(lane.compose(RedisConnection::close).otherwiseEmpty());
      }
    }
    return Future.join(closing).mapEmpty();
  }
}
