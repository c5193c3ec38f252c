package io.sobranie.realtime.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What a listener received, in order; every wait is bounded (10 s). */
final class Inbox<T> {
  static final long WAIT_MS = 10_000;
  private final LinkedBlockingQueue<T> items = new LinkedBlockingQueue<>();

  void add(T item) {
    items.add(item);
  }

  /** The next item, failing the test when none comes within 10 s. */
  T next() {
    try {
      T item = items.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      if (item == null) {
        throw new AssertionError("nothing arrived within " + WAIT_MS + " ms");
      }
      return item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  List<T> next(int count) {
    List<T> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(next());
    }
    return out;
  }

  /** Skips items until one matches; answers it. */
  T until(Predicate<T> match) {
    long end = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < end) {
      T item = next();
      if (match.test(item)) {
        return item;
      }
    }
    throw new AssertionError("no matching item within " + WAIT_MS + " ms");
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  List<T> drain() {
    List<T> out = new ArrayList<>();
    items.drainTo(out);
    return out;
  }
}
