package io.sobranie.realtime.gateway.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A per-user token bucket of {@code perMinute} requests, shared by all of the user's connections
 * on this node (PROTOCOL.md liveness and limits; a user spread over k nodes gets up to k× the
 * budget). It also counts attempts per minute, so a client that keeps going past twice the
 * limit can be told apart from one that merely bursts.
 */
public final class RateLimiter {
  private static final long MINUTE_MS = 60_000;

  /** The outcome of one attempt. */
  public record Verdict(boolean allowed, long retryAfterMs, boolean flooding) {
    static final Verdict ALLOWED = new Verdict(true, 0, false);
  }

  private static final class Bucket {
    double tokens;
    long refilledAt;
    long windowStart;
    int attempts;
  }

  private final int perMinute;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(int perMinute) {
    this.perMinute = perMinute;
  }

  /** Takes one token for {@code userId}, or says how long until one is free. */
  public Verdict acquire(String userId, long now) {
    Verdict[] verdict = new Verdict[1];
    buckets.compute(userId, (id, bucket) -> {
      if (bucket == null) {
        bucket = new Bucket();
        bucket.tokens = perMinute;
        bucket.refilledAt = now;
        bucket.windowStart = now;
      }
      bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.refilledAt) * (double) perMinute / MINUTE_MS);
      bucket.refilledAt = now;
      if (now - bucket.windowStart >= MINUTE_MS) {
        bucket.windowStart = now;
        bucket.attempts = 0;
      }
      bucket.attempts++;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        verdict[0] = Verdict.ALLOWED;
      } else {
        long wait = (long) Math.ceil((1 - bucket.tokens) * MINUTE_MS / perMinute);
        verdict[0] = new Verdict(false, Math.max(1, wait), bucket.attempts > 2 * perMinute);
      }
      return bucket;
    });
    return verdict[0];
  }

  /** Gives back a token that was taken for nothing (a repeated idempotent message). */
  public void refund(String userId) {
    buckets.computeIfPresent(userId, (id, bucket) -> {
      bucket.tokens = Math.min(perMinute, bucket.tokens + 1);
      bucket.attempts = Math.max(0, bucket.attempts - 1);
      return bucket;
    });
  }

  /** Takes back the attempt count of a refused attempt that turned out to be free (a repeated idempotent message). */
  public void forgive(String userId) {
    buckets.computeIfPresent(userId, (id, bucket) -> {
      bucket.attempts = Math.max(0, bucket.attempts - 1);
      return bucket;
    });
  }

  /** Drops the buckets of users idle for a minute (they are full again anyway). */
  public void sweep(long now) {
    buckets.values().removeIf(bucket -> now - bucket.refilledAt >= MINUTE_MS);
  }
}
