package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few connections leased from the client's pool and kept, each a FIFO pipeline. Commands about
 * one stream (a channel, a user, presence) always take the same lane, so commands a caller sends
 * one after another without waiting reach Redis in that order: appends issued in order get
 * increasing seqs, and a read sent after an append sees it. Sending each command through the pool
 * would not keep that order (two commands may take two connections). A lane whose connection
 * ended or failed is replaced on its next use; commands in flight on it fail.
 */
final class RedisLanes {
  private final Redis redis;
  private final AtomicReferenceArray<Future<RedisConnection>> lanes;

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
