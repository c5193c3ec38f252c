package io.sobranie.realtime.server;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the {@link ProtocolSuite} runs: the node its clients under test use ({@link #home()})
 * and the node their peers, publishers and services use ({@link #peer()}). Embedded, both are
 * one node; clustered, two nodes joined over Hazelcast and sharing Redis, so every rule that
 * crosses nodes is proven across them.
 */
interface ProtocolDeployment extends AutoCloseable {

  int home();

  int peer();

  boolean clustered();

  /** The store loses everything, as after a crash without persistence: every stream starts anew. */
  void loseStore();

  @Override
  void close();

  /** One node with every role and the embedded (in-memory) store, as {@link ServerTestBase} starts it. */
  static ProtocolDeployment embedded(Map<String, String> settings) {
    return new ProtocolDeployment() {
      private RealtimeNode node = start();

      private RealtimeNode start() {
        Map<String, String> env = new HashMap<>();
        env.put("JWT_SECRET", ServerTestBase.SECRET);
        env.put("HTTP_PORT", "0");
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("NODE_ID", "embedded");
        env.putAll(settings);
        return RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(env)).await();
      }

      @Override
      public int home() {
        return node.port();
      }

      @Override
      public int peer() {
        return node.port();
      }

      @Override
      public boolean clustered() {
        return false;
      }

      /** The embedded store lives in the process: a restarted node (on a new port) has lost it. */
      @Override
      public void loseStore() {
        node.close().await();
        node = start();
      }

      @Override
      public void close() {
        node.close().await();
      }
    };
  }

  /** Two clustered nodes with every role, on Hazelcast and the Redis of {@link ClusterNodes}, under keys of their own. */
  static ProtocolDeployment clustered(Map<String, String> settings) {
    ClusterNodes cluster = new ClusterNodes();
    RealtimeNode a;
    RealtimeNode b;
    try {
      a = cluster.start("node-a", "all", settings);
      b = cluster.start("node-b", "all", settings);
    } catch (RuntimeException | Error failed) {
      cluster.close();
      throw failed;
    }
    return new ProtocolDeployment() {
      @Override
      public int home() {
        return a.port();
      }

      @Override
      public int peer() {
        return b.port();
      }

      @Override
      public boolean clustered() {
        return true;
      }

      /** Redis loses every key of this cluster, as a Redis restarted without persistence would. */
      @Override
      public void loseStore() {
        cluster.deleteKeys();
      }

      @Override
      public void close() {
        cluster.close();
      }
    };
  }
}
