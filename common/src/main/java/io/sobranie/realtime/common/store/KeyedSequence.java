package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs the operations given for one key one after another, in the order they were given (each
 * starts when the previous one completed, successfully or not); operations on different keys run
 * concurrently. A store operation made of several Redis commands (several hash slots of a Redis
 * Cluster) is thus never interleaved with the next operation on the same key from this store, the
 * order a single script on one {@link RedisLanes lane} used to give. Only keys with an operation
 * in flight take memory.
 */
final class KeyedSequence {
  private final ConcurrentHashMap<String, Future<?>> tails = new ConcurrentHashMap<>();

  <T> Future<T> run(String key, Supplier<Future<T>> operation) {
    Promise<T> result = Promise.promise();
    Future<T> mine = result.future();
    Future<?> previous = tails.put(key, mine);
    if (previous == null) {
      start(operation, result);
    } else {
      previous.onComplete(ignored -> start(operation, result));
    }
    mine.onComplete(ignored -> tails.remove(key, mine));
    return mine;
  }

  private static <T> void start(Supplier<Future<T>> operation, Promise<T> result) {
    try {
      operation.get().onComplete(result);
    } catch (RuntimeException e) {
      result.fail(e);
    }
  }
}
