package io.sobranie.realtime.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract on a Sentinel-managed primary that this class starts ({@link RedisProcesses}:
 * a primary, its replica, one Sentinel), through the Sentinel client ({@code REDIS_MODE=sentinel}):
 * every command reaches the primary the Sentinel names (the replica would refuse the writes).
 * {@link RedisSentinelFailoverTest} kills that primary under traffic.
 */
class RedisSentinelStoreTest extends StoreContract {
  @RegisterExtension
  static final RedisProcesses REDIS = new RedisProcesses();
  private static final String MASTER = "realtime";
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static RedisProcesses.SentinelSet redis;
  private static Vertx vertx;

  /** This test's keys (JUnit makes one instance per test); the servers go away with the class. */
  private final String prefix = "rt-" + TESTS.incrementAndGet() + ":";

  @BeforeAll
  static void startSentinel() {
    redis = REDIS.sentinel(MASTER, 1000);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private RedisStore connect(List<String> sentinels, Function<String, HistoryLimits> limits, LongSupplier clock)
      throws Exception {
    RedisServers servers = new RedisServers(RedisServers.Mode.SENTINEL, sentinels, MASTER);
    return await(RedisStore.connect(vertx, RedisStore.options(servers), prefix, limits, clock));
  }

  @Override
  protected long storedChannels() throws Exception {
    return RedisStoreTest.storedChannels(vertx, List.of(redis.primary().url()), prefix);
  }

  @Override
  protected Store newStore(Function<String, HistoryLimits> limits, LongSupplier clock) {
    try {
      return connect(List.of(redis.sentinel().url()), limits, clock);
    } catch (Exception e) {
      throw new IllegalStateException("cannot reach the primary through the test's Sentinel", e);
    }
  }

  @Test
  @DisplayName("a Sentinel list whose first entry does not answer still leads to the primary")
  void aSentinelListWhoseFirstEntryIsDownStillWorks() throws Exception {
    RedisStore other = connect(List.of("redis://127.0.0.1:" + RedisProcesses.freePort(), redis.sentinel().url()),
        LIMITS, clock::get);
    try {
      String ch = channel("chat");
      assertEquals(1, await(other.history().append(ch, draft("a"), null)).message().seq());
      assertEquals(1, await(store.history().position(ch)).seq(), "the same primary as the other store");
    } finally {
      await(other.close());
    }
  }
}
