package io.sobranie.realtime.gateway.limits;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Notices a blocked event loop: every loop of the node stamps the time every {@value #TICK_MS} ms
 * from a task of its own; a loop whose stamp is older than {@value #BLOCKED_AFTER_MS} ms has not
 * run its tasks for that long. Health answers 503 then (a node with a stuck loop serves part of
 * its connections nothing at all, and must be restarted), instead of UP.
 */
public final class EventLoopWatch {
  public static final long TICK_MS = 500;
  public static final long BLOCKED_AFTER_MS = 5_000;

  private final AtomicLongArray stamps;
  /** Per loop, the most its stamping task ran late since {@link #takeLagMs} last looked. */
  private final AtomicLongArray lags;

  public EventLoopWatch(Vertx vertx) {
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loops::add);
    stamps = new AtomicLongArray(loops.size());
    lags = new AtomicLongArray(loops.size());
    long now = System.currentTimeMillis();
    for (int i = 0; i < loops.size(); i++) {
      int loop = i;
      stamps.set(loop, now);
      // Ends with the event loop group, when Vert.x closes.
      loops.get(i).scheduleAtFixedRate(() -> stamp(loop, System.currentTimeMillis()), TICK_MS, TICK_MS,
          TimeUnit.MILLISECONDS);
    }
  }

  private void stamp(int loop, long now) {
    long late = now - stamps.getAndSet(loop, now) - TICK_MS;
    if (late > 0) {
      lags.accumulateAndGet(loop, late, Math::max);
    }
  }

  /** How many event loops the node has. */
  public int loops() {
    return stamps.length();
  }

  /**
   * The most any loop's tasks waited since the previous call (a task's lateness, or how long a loop
   * has been stuck now): what the admin page shows as lag. Resets what it reports.
   */
  public long takeLagMs(long now) {
    long most = 0;
    for (int i = 0; i < stamps.length(); i++) {
      most = Math.max(most, Math.max(lags.getAndSet(i, 0), now - stamps.get(i) - TICK_MS));
    }
    return most;
  }

  /** How many event loops have not run a task for {@value #BLOCKED_AFTER_MS} ms as of {@code now}. */
  public int blocked(long now) {
    int blocked = 0;
    for (int i = 0; i < stamps.length(); i++) {
      if (now - stamps.get(i) > BLOCKED_AFTER_MS) {
        blocked++;
      }
    }
    return blocked;
  }
}
