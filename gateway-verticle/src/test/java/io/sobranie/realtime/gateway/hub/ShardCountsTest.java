package io.sobranie.realtime.gateway.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardCountsTest {
  /** An outlet that is never called: only its identity counts here. */
  private static Hub.Outlet outlet() {
    return new Hub.Outlet() {
      @Override
      public Context context() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void deliver(String key, Delivery delivery) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void deliverToUser(String userId, Delivery delivery) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private static Set<Hub.Outlet> outlets(ShardCounts counts) {
    Set<Hub.Outlet> all = new HashSet<>();
    for (int i = 0; i < counts.size(); i++) {
      all.add(counts.outlet(i));
    }
    return all;
  }

  @Test
  void anOutletStaysUntilItsLastFollowerLeaves() {
    Hub.Outlet a = outlet();
    Hub.Outlet b = outlet();
    Hub.Outlet c = outlet();
    ShardCounts counts = new ShardCounts();
    assertTrue(counts.isEmpty());
    counts.add(a);
    counts.add(b);
    counts.add(a);
    counts.add(c);
    assertEquals(Set.of(a, b, c), outlets(counts));
    assertTrue(counts.remove(a));
    assertEquals(Set.of(a, b, c), outlets(counts), "a still has one follower");
    assertTrue(counts.remove(b));
    assertEquals(Set.of(a, c), outlets(counts));
    assertFalse(counts.remove(b), "b has none left");
    assertTrue(counts.remove(a));
    assertTrue(counts.remove(c));
    assertTrue(counts.isEmpty());
    assertFalse(counts.remove(a));
  }
}
