package io.sobranie.realtime.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A blocked event loop is noticed; one that runs again is not. Real event loops, really blocked. */
class EventLoopWatchTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)
      .setMaxEventLoopExecuteTime(60).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)); // no blocked-thread warnings

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a loop that runs no task for longer than the threshold counts as blocked until it runs again")
  void blockedLoopIsNoticed() throws Exception {
    EventLoopWatch watch = new EventLoopWatch(vertx);
    assertEquals(0, watch.blocked(System.currentTimeMillis()));
    EventExecutor loop = ((VertxInternal) vertx).nettyEventLoopGroup().next();
    CountDownLatch release = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        release.await(30, TimeUnit.SECONDS); // blocks this event loop
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    int blocked = 0;
    long deadline = System.currentTimeMillis() + EventLoopWatch.BLOCKED_AFTER_MS + 5_000;
    while (blocked == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      blocked = watch.blocked(System.currentTimeMillis());
    }
    assertEquals(1, blocked, "the blocked loop, and only it");
    release.countDown();
    while (watch.blocked(System.currentTimeMillis()) > 0 && System.currentTimeMillis() < deadline + 5_000) {
      Thread.sleep(100);
    }
    assertEquals(0, watch.blocked(System.currentTimeMillis()), "running again");
  }

  @Test
  @DisplayName("a loop held up reports its lag once it runs again, and the next look starts afresh")
  void lagIsReportedOnce() throws Exception {
    EventLoopWatch watch = new EventLoopWatch(vertx);
    assertEquals(2, watch.loops());
    Thread.sleep(2 * EventLoopWatch.TICK_MS);
    assertTrue(watch.takeLagMs(System.currentTimeMillis()) < 400, "idle loops are not late");
    EventExecutor loop = ((VertxInternal) vertx).nettyEventLoopGroup().next();
    CountDownLatch ran = new CountDownLatch(1);
    loop.execute(() -> {
      long until = System.currentTimeMillis() + 1500;
      while (System.currentTimeMillis() < until) {
        Thread.onSpinWait(); // holds this loop busy, like a slow handler
      }
      ran.countDown();
    });
    assertTrue(ran.await(10, TimeUnit.SECONDS));
    Thread.sleep(EventLoopWatch.TICK_MS / 2); // its stamping task has run late by now
    long lag = watch.takeLagMs(System.currentTimeMillis());
    assertTrue(lag >= 900, "held 1.5 s, the loop's task ran about a second late: " + lag);
    Thread.sleep(2 * EventLoopWatch.TICK_MS);
    assertTrue(watch.takeLagMs(System.currentTimeMillis()) < 400, "reported once");
  }
}
