package io.sobranie.realtime.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.gateway.limits.RateLimiter.Verdict;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The per-user budget of PROTOCOL.md (liveness and limits): a token bucket of {@code perMinute}
 * that refills continuously, with an attempt count per minute that tells a flood from a burst.
 * Time is passed in: no sleeps.
 */
class RateLimiterTest {
  /** One token a second, so the arithmetic reads plainly. */
  private static final int PER_MINUTE = 60;
  private static final long T0 = 1_000_000;
  private final RateLimiter limiter = new RateLimiter(PER_MINUTE);

  /** Makes {@code count} attempts for {@code user} at {@code now}, none of them flooding; answers how many were allowed. */
  private int attempts(String user, int count, long now) {
    int allowed = 0;
    for (int i = 0; i < count; i++) {
      Verdict verdict = limiter.acquire(user, now);
      assertFalse(verdict.flooding(), () -> "attempt " + verdict);
      allowed += verdict.allowed() ? 1 : 0;
    }
    return allowed;
  }

  @Test
  @DisplayName("a user may make perMinute requests at once; the next is refused with the wait for one token")
  void budgetPerMinute() {
    assertEquals(PER_MINUTE, attempts("alice", PER_MINUTE, T0));
    Verdict refused = limiter.acquire("alice", T0);
    assertFalse(refused.allowed());
    assertEquals(60_000 / PER_MINUTE, refused.retryAfterMs());
    assertFalse(refused.flooding(), "one over the limit is a burst, not a flood");
  }

  @Test
  @DisplayName("each user has a budget of their own")
  void budgetsArePerUser() {
    attempts("alice", PER_MINUTE, T0);
    assertFalse(limiter.acquire("alice", T0).allowed());
    assertTrue(limiter.acquire("bob", T0).allowed());
  }

  @Test
  @DisplayName("tokens come back at perMinute a minute, never beyond perMinute")
  void refillOverTime() {
    attempts("alice", PER_MINUTE, T0);
    assertFalse(limiter.acquire("alice", T0 + 999).allowed(), "not yet a whole token");
    assertTrue(limiter.acquire("alice", T0 + 1000).allowed(), "one token after a second");
    assertFalse(limiter.acquire("alice", T0 + 1000).allowed());
    assertEquals(10, attempts("alice", 11, T0 + 11_000), "ten seconds later, ten tokens");
    assertEquals(PER_MINUTE, attempts("alice", PER_MINUTE + 1, T0 + 3_600_000), "an hour later, a full bucket and no more");
  }

  @Test
  @DisplayName("retryAfterMs is the time until one whole token, and trying again then succeeds")
  void retryAfterIsTheWaitForOneToken() {
    attempts("alice", PER_MINUTE, T0);
    Verdict partly = limiter.acquire("alice", T0 + 250);
    assertEquals(750, partly.retryAfterMs(), "a quarter token is there already");
    RateLimiter seven = new RateLimiter(7); // 60000 / 7 is not a whole number of ms: rounded up
    for (int i = 0; i < 7; i++) {
      assertTrue(seven.acquire("alice", T0).allowed());
    }
    Verdict refused = seven.acquire("alice", T0);
    assertEquals(8572, refused.retryAfterMs());
    assertFalse(seven.acquire("alice", T0 + refused.retryAfterMs() - 1).allowed(), "a millisecond early");
    assertTrue(seven.acquire("alice", T0 + refused.retryAfterMs()).allowed(), "on time");
  }

  @Test
  @DisplayName("a refused attempt is flooding only past twice the limit within one minute")
  void floodingPastTwiceTheLimit() {
    assertEquals(PER_MINUTE, attempts("alice", PER_MINUTE, T0));
    for (int attempt = PER_MINUTE + 1; attempt <= 2 * PER_MINUTE; attempt++) {
      Verdict burst = limiter.acquire("alice", T0);
      assertFalse(burst.allowed());
      assertFalse(burst.flooding(), "attempt " + attempt + " is a burst");
    }
    Verdict flood = limiter.acquire("alice", T0);
    assertFalse(flood.allowed());
    assertTrue(flood.flooding(), "attempt " + (2 * PER_MINUTE + 1) + " in a minute");
  }

  @Test
  @DisplayName("the attempt count starts again each minute")
  void floodingCountsPerMinute() {
    attempts("alice", 2 * PER_MINUTE, T0);
    assertEquals(30, attempts("alice", 30, T0 + 30_000), "30 s later, 30 tokens");
    assertTrue(limiter.acquire("alice", T0 + 30_000).flooding(), "still the first minute: attempt 151");
    long nextMinute = T0 + 60_000;
    assertEquals(30, attempts("alice", 2 * PER_MINUTE, nextMinute), "a new minute: 120 attempts, none flooding");
    assertTrue(limiter.acquire("alice", nextMinute).flooding(), "attempt 121 of the new minute");
  }

  @Test
  @DisplayName("refund gives back a token and takes back the attempt")
  void refund() {
    attempts("alice", PER_MINUTE, T0);
    limiter.refund("alice");
    assertTrue(limiter.acquire("alice", T0).allowed(), "the token given back");
    assertFalse(limiter.acquire("alice", T0).allowed());
    // Attempts so far: 60 + 1 + 1, less the refunded one = 61. Up to 120 are not flooding.
    for (int attempt = 62; attempt <= 2 * PER_MINUTE; attempt++) {
      assertFalse(limiter.acquire("alice", T0).flooding(), "attempt " + attempt);
    }
    assertTrue(limiter.acquire("alice", T0).flooding());
  }

  @Test
  @DisplayName("refund never fills a bucket beyond perMinute")
  void refundIsCapped() {
    assertTrue(limiter.acquire("alice", T0).allowed());
    limiter.refund("alice");
    limiter.refund("alice");
    assertEquals(PER_MINUTE, attempts("alice", PER_MINUTE + 1, T0));
  }

  @Test
  @DisplayName("forgive takes back the attempt of a refused request but gives no token")
  void forgive() {
    attempts("alice", 2 * PER_MINUTE, T0);
    limiter.forgive("alice");
    Verdict afterForgive = limiter.acquire("alice", T0);
    assertFalse(afterForgive.allowed(), "no token was given");
    assertFalse(afterForgive.flooding(), "attempt 120 again: the forgiven one does not count");
    assertTrue(limiter.acquire("alice", T0).flooding());
  }

  @Test
  @DisplayName("refund and forgive of a user without a bucket change nothing")
  void refundAndForgiveOfUnknownUser() {
    limiter.refund("nobody");
    limiter.forgive("nobody");
    assertEquals(PER_MINUTE, attempts("nobody", PER_MINUTE + 1, T0));
  }

  @Test
  @DisplayName("the sweep keeps a bucket used within the minute and drops one idle for a minute, which is full again anyway")
  void sweep() {
    attempts("alice", PER_MINUTE, T0);
    attempts("bob", PER_MINUTE, T0);
    limiter.sweep(T0 + 30_000);
    assertEquals(30, attempts("alice", PER_MINUTE, T0 + 30_000), "kept: half refilled, not reset to full");
    limiter.sweep(T0 + 60_000);
    assertEquals(PER_MINUTE, attempts("bob", PER_MINUTE + 1, T0 + 60_000), "dropped: a new bucket, as full as a refilled one");
    assertEquals(30, attempts("alice", PER_MINUTE, T0 + 60_000), "alice acquired at 30 s: kept, refilled for 30 s");
  }
}
