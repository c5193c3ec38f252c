package io.sobranie.realtime.gateway.session;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A shard's index from a key (a stream, a user) to its local followers. Most keys have one
 * follower (a user's notification stream, a user's one connection), so a lone follower is held
 * as it is and a set is made only for a second one: about 180 bytes less per key, and these keys
 * grow with connections. Not thread-safe: one shard's event loop.
 */
final class Followers<V> {
  private final Map<String, Object> byKey = new HashMap<>();

  /** A key's followers once there are two or more (a type of its own, never a follower). */
  private static final class Many<V> extends LinkedHashSet<V> {
  }

  void add(String key, V follower) {
    Object present = byKey.putIfAbsent(key, follower);
    if (present == null || present == follower) {
      return;
    }
    if (present instanceof Many<?>) {
      many(present).add(follower);
      return;
    }
    Many<V> many = new Many<>();
    many.add(one(present));
    many.add(follower);
    byKey.put(key, many);
  }

  /** Answers whether {@code follower} was there. */
  boolean remove(String key, V follower) {
    Object present = byKey.get(key);
    if (present == follower) {
      byKey.remove(key);
      return true;
    }
    if (!(present instanceof Many<?>)) {
      return false;
    }
    Many<V> many = many(present);
    boolean removed = many.remove(follower);
    if (many.size() == 1) {
      byKey.put(key, many.iterator().next());
    }
    return removed;
  }

  /** Runs {@code action} for each follower of {@code key}; {@code action} must not add or remove followers of it. */
  void forEach(String key, Consumer<V> action) {
    Object present = byKey.get(key);
    if (present instanceof Many<?>) {
      many(present).forEach(action);
    } else if (present != null) {
      action.accept(one(present));
    }
  }

  /** The followers of {@code key} now, for an action that may remove some. */
  List<V> snapshot(String key) {
    Object present = byKey.get(key);
    if (present instanceof Many<?>) {
      return List.copyOf(many(present));
    }
    return present == null ? List.of() : List.of(one(present));
  }

  @SuppressWarnings("unchecked")
  private V one(Object present) {
    return (V) present;
  }

  @SuppressWarnings("unchecked")
  private Many<V> many(Object present) {
    return (Many<V>) present;
  }
}
