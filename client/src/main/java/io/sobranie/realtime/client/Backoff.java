package io.sobranie.realtime.client;

import java.util.function.DoubleSupplier;

/**
 * Reconnect delays, the same rule as the browser client's {@code backoffDelay}:
 * {@code delay(n) = min(maxMs, initialMs * factor^n) * (1 - jitter * r)}, r uniform in [0, 1), so
 * {@code (1 - jitter) * cap(n) <= delay(n) <= cap(n) <= maxMs}. The jitter spreads the reconnects of
 * many clients after a server restart.
 */
public record Backoff(long initialMs, long maxMs, double factor, double jitter) {
  /** 0.5 s doubling to 30 s, each delay 50–100 % of its cap (the browser client's constants). */
  public static final Backoff DEFAULT = new Backoff(500, 30_000, 2, 0.5);

  public Backoff {
    if (initialMs < 0 || maxMs < initialMs || factor < 1 || jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("need 0 <= initialMs <= maxMs, factor >= 1 and 0 <= jitter <= 1");
    }
  }

  /** The delay before attempt {@code attempt} (0-based), with {@code random} giving values in [0, 1). */
  public long delay(int attempt, DoubleSupplier random) {
    double cap = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, Math.min(attempt, 64))));
    return Math.round(cap * (1 - jitter * random.getAsDouble()));
  }
}
