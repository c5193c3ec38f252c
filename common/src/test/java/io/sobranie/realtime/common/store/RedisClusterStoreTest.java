package io.sobranie.realtime.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract on a Redis Cluster of three primaries that this class starts
 * ({@link RedisProcesses}), through the cluster client ({@code REDIS_MODE=cluster}). The client
 * routes each command by the slot of its keys and refuses one whose keys span slots, and Redis
 * refuses a script touching a key of another node, so every contract test here also checks that
 * its scripts and commands are single-slot. Pipelined appends keeping their order per channel
 * (a lane is a cluster connection with one socket per primary) is the contract's concurrency test.
 */
class RedisClusterStoreTest extends StoreContract {
  @RegisterExtension
  static final RedisProcesses REDIS = new RedisProcesses();
  private static final Pattern HASH_TAG = Pattern.compile("^[^{]*\\{([^}]*)}");
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static List<RedisProcesses.Server> nodes;
  private static Vertx vertx;

  /** This test's keys (JUnit makes one instance per test); the cluster goes away with the class. */
  private final String prefix = "rt-" + TESTS.incrementAndGet() + ":";

  @BeforeAll
  static void startCluster() {
    nodes = REDIS.cluster(3);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static RedisServers servers() {
    return new RedisServers(RedisServers.Mode.CLUSTER, nodes.stream().map(RedisProcesses.Server::url).toList(), null);
  }

  @Override
  protected Store newStore(Function<String, HistoryLimits> limits, LongSupplier clock) {
    try {
      return await(RedisStore.connect(vertx, RedisStore.options(servers()), prefix, limits, clock));
    } catch (Exception e) {
      throw new IllegalStateException("cannot connect to the test's Redis Cluster", e);
    }
  }

  @Override
  protected long storedChannels() throws Exception {
    return RedisStoreTest.storedChannels(vertx, nodes.stream().map(RedisProcesses.Server::url).toList(), prefix);
  }

  @Test
  @DisplayName("each channel, user and the presence registry lives on one shard, and together they spread over all three")
  void keysOfOneTagShareAShardAndTagsSpreadOverAll() throws Exception {
    for (int i = 0; i < 40; i++) {
      String ch = channel("chat");
      String user = name("u" + i);
      String conn = name("c");
      append(ch, "hello", "k" + i);
      await(store.notifications().append(user, "n-" + i, "k", "{}", clock.get()));
      await(store.presence().connect(name("n"), user, conn, "ws"));
      await(store.presence().join(name("n"), ch, user, conn));
    }
    Map<String, Set<Integer>> shardsOfTag = new HashMap<>();
    Set<Integer> shardsWithKeys = new HashSet<>();
    for (RedisProcesses.Server node : nodes) {
      for (String key : REDIS.cli(node.port(), "--scan", "--pattern", prefix + "*").split("\n")) {
        if (key.isBlank()) {
          continue;
        }
        Matcher tag = HASH_TAG.matcher(key);
        assertTrue(tag.find(), "no hash tag: " + key);
        shardsOfTag.computeIfAbsent(tag.group(1), t -> new HashSet<>()).add(node.port());
        shardsWithKeys.add(node.port());
      }
    }
    long ownTags = shardsOfTag.keySet().stream().filter(tag -> !tag.matches("g\\d+") && !tag.equals("health")).count();
    assertEquals(81, ownTags, "40 channels, 40 users and the registry (besides slot generations and the health probe): "
        + shardsOfTag.keySet());
    shardsOfTag.forEach((tag, shards) -> assertEquals(1, shards.size(), tag + " is on " + shards));
    assertEquals(3, shardsWithKeys.size(), "the keys spread over every primary");
  }

  @Test
  @DisplayName("a script whose keys are in two slots is refused, so a cross-slot script cannot pass the contract above")
  void aScriptWithKeysInTwoSlotsIsRefused() throws Exception {
    Redis redis = Redis.createClient(vertx, RedisStore.options(servers()));
    try {
      RedisScript script = new RedisScript("return #KEYS");
      assertEquals(2, await(script.run(redis::send, List.of("rt:{a}:x", "rt:{a}:y"), List.of())).toInteger());
      Exception failure = null;
      try {
        await(script.run(redis::send, List.of("rt:{a}:x", "rt:{b}:x"), List.of()));
      } catch (Exception e) {
        failure = e;
      }
      assertTrue(failure != null && failure.getMessage().contains("CROSSSLOT"), String.valueOf(failure));
    } finally {
      await(redis.close());
    }
  }
}
