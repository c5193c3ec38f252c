package io.sobranie.realtime.bench;

/** A fixed rate with catch-up: how many sends are due now, never more than {@code total} in all. */
final class Pacer {
  private final double perNano;
  private final long total;
  private final long start = System.nanoTime();
  private long sent;

  Pacer(double perSecond, long total) {
    this.perNano = perSecond / 1e9;
    this.total = total;
  }

  /** Sends due now (and counted as sent). */
  int due() {
    long target = Math.min(total, (long) ((System.nanoTime() - start) * perNano));
    int n = (int) Math.max(0, target - sent);
    sent += n;
    return n;
  }

  boolean done() {
    return sent >= total;
  }

  /** A timer period that keeps up with the rate without busy ticking: 1..10 ms. */
  static long tickMs(double perSecond) {
    return Math.max(1, Math.min(10, (long) (500 / Math.max(perSecond, 1e-9))));
  }
}
