package io.sobranie.realtime.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FollowersTest {
  private final Followers<String> index = new Followers<>();

  private List<String> of(String key) {
    List<String> seen = new ArrayList<>();
    index.forEach(key, seen::add);
    assertEquals(seen, index.snapshot(key), "forEach and snapshot agree");
    return seen;
  }

  @Test
  void oneFollowerThenManyThenOneAgainThenNone() {
    index.add("k", "a");
    index.add("k", "a"); // a follower is there once
    assertEquals(List.of("a"), of("k"));
    index.add("k", "b");
    index.add("k", "c");
    assertEquals(List.of("a", "b", "c"), of("k"), "in the order they came");
    assertTrue(index.remove("k", "a"));
    assertTrue(index.remove("k", "c"));
    assertEquals(List.of("b"), of("k"));
    index.add("k", "d");
    assertEquals(List.of("b", "d"), of("k"));
    assertTrue(index.remove("k", "b"));
    assertTrue(index.remove("k", "d"));
    assertEquals(List.of(), of("k"));
  }

  @Test
  void removingWhatIsNotThereChangesNothing() {
    assertFalse(index.remove("k", "a"));
    index.add("k", "a");
    assertFalse(index.remove("k", "b"));
    assertFalse(index.remove("other", "a"));
    index.add("k", "b");
    assertFalse(index.remove("k", "c"));
    assertEquals(List.of("a", "b"), of("k"));
  }

  @Test
  void keysAreApart() {
    index.add("k1", "a");
    index.add("k2", "a");
    index.add("k2", "b");
    assertTrue(index.remove("k2", "a"));
    assertEquals(List.of("a"), of("k1"));
    assertEquals(List.of("b"), of("k2"));
  }
}
