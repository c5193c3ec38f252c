package io.sobranie.realtime.server;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real clustered nodes for tests, in this JVM: Hazelcast on 127.0.0.1 under a cluster name of
 * the test's own, sharing the Redis at {@code REDIS_URL} (default 127.0.0.1:6379) under a key
 * prefix of the test's own, which is deleted at the end.
 */
final class ClusterNodes implements AutoCloseable {
  static final String REDIS_URL = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");

  final String clusterName = "rt-test-" + Long.toHexString(System.nanoTime());
  final String redisPrefix = clusterName + ":";
  private final List<RealtimeNode> nodes = new ArrayList<>();

  /** Starts a node running {@code roles} with {@code extra} settings; waits until it serves. */
  RealtimeNode start(String nodeId, String roles, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(settings(nodeId, roles));
    env.putAll(extra);
    var config = ConfigLoader.load(env);
    Vertx vertx = Cluster.vertx(config).await();
    RealtimeNode node = RealtimeNode.start(vertx, config).await();
    nodes.add(node);
    return node;
  }

  /** The settings of a clustered test node (also usable as a process environment). */
  Map<String, String> settings(String nodeId, String roles) {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET", ServerTestBase.SECRET);
    env.put("HTTP_PORT", "0");
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("NODE_ID", nodeId);
    env.put("ROLES", roles);
    env.put("CLUSTER", "true");
    env.put("CLUSTER_NAME", clusterName);
    env.put("CLUSTER_MEMBERS", "127.0.0.1");
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("REDIS_URL", REDIS_URL);
    env.put("REDIS_PREFIX", redisPrefix);
    env.put("HEARTBEAT_MS", "1000");
    env.put("PRESENCE_GRACE_MS", "200");
    env.put("MESSAGES_PER_MINUTE", "100000");
    return env;
  }

  @Override
  public void close() {
    for (RealtimeNode node : nodes) {
      try {
        node.close().await();
      } catch (RuntimeException alreadyGone) {
        // a node a test killed
      }
    }
    deleteKeys();
  }

  /** Removes every key this test wrote. */
  void deleteKeys() {
    deleteKeys(redisPrefix);
  }

  /** Removes every key under {@code redisPrefix} from the shared Redis. */
  static void deleteKeys(String redisPrefix) {
    Vertx vertx = Vertx.vertx();
    Redis client = Redis.createClient(vertx, REDIS_URL);
    RedisAPI redis = RedisAPI.api(client);
    try {
      String cursor = "0";
      do {
        Response page = redis.scan(List.of(cursor, "MATCH", redisPrefix + "*", "COUNT", "1000")).await();
        cursor = page.get(0).toString();
        List<String> keys = new ArrayList<>();
        page.get(1).forEach(key -> keys.add(key.toString()));
        if (!keys.isEmpty()) {
          redis.unlink(keys).await();
        }
      } while (!cursor.equals("0"));
    } finally {
      client.close();
      vertx.close().await();
    }
  }
}
