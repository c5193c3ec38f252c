package io.sobranie.realtime.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The typing rule of PROTOCOL.md: one start per 2 s, one stop after each start that passed. */
class TypingThrottleTest {
  private final TypingThrottle throttle = new TypingThrottle();

  @Test
  @DisplayName("a start passes once per 2 s per user and channel")
  void startsAreThrottled() {
    assertTrue(throttle.allow("alice", "chat:a", true, 0));
    assertFalse(throttle.allow("alice", "chat:a", true, 1999));
    assertTrue(throttle.allow("alice", "chat:b", true, 1999), "another channel");
    assertTrue(throttle.allow("bob", "chat:a", true, 1999), "another user");
    assertTrue(throttle.allow("alice", "chat:a", true, 2000));
  }

  @Test
  @DisplayName("a stop passes once after a start that passed; a stop without one is dropped")
  void stopsFollowStarts() {
    assertFalse(throttle.allow("alice", "chat:a", false, 0), "nothing started");
    assertTrue(throttle.allow("alice", "chat:a", true, 10));
    assertTrue(throttle.allow("alice", "chat:a", false, 20));
    assertFalse(throttle.allow("alice", "chat:a", false, 30), "already stopped");
  }

  @Test
  @DisplayName("alternating true/false as fast as possible passes two events per 2 s")
  void alternationCostsTwo() {
    int passed = 0;
    for (int t = 0; t < 2000; t++) {
      passed += throttle.allow("alice", "chat:a", t % 2 == 0, t) ? 1 : 0;
    }
    assertTrue(passed == 2, "passed " + passed);
  }

  @Test
  @DisplayName("the sweep forgets finished windows and keeps a start whose stop is still owed")
  void sweep() {
    throttle.allow("alice", "chat:a", true, 0);
    throttle.allow("alice", "chat:a", false, 10);
    throttle.allow("bob", "chat:a", true, 0);
    throttle.sweep(5000);
    assertTrue(throttle.allow("bob", "chat:a", false, 5001), "bob's stop is still owed");
    assertTrue(throttle.allow("alice", "chat:a", true, 5002));
  }
}
