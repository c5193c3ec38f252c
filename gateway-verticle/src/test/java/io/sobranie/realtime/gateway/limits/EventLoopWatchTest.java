package io.sobranie.realtime.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
