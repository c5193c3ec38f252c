package io.sobranie.realtime.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds the Vert.x instance of a node: plain for the embedded default, or a member of a
 * Hazelcast cluster ({@code CLUSTER=true}) joined by a TCP-IP member list, multicast off,
 * failure detection in seconds rather than Hazelcast's minute.
 */
public final class Cluster {
  private Cluster() {
  }

  /** {@code CLUSTER_NAME} keeps deployments (and test runs) apart: only nodes of one name join. */
  public static Future<Vertx> vertx(RealtimeConfig config) {
    String clusterName = config.clusterName();
    if (!config.cluster()) {
      return Future.succeededFuture(Vertx.vertx());
    }
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost(config.clusterHost()).setPort(0).setClusterPublicHost(config.clusterHost());
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast(config, clusterName)))
        .buildClustered();
  }

  static Config hazelcast(RealtimeConfig config, String clusterName) {
    Config hazelcast = ConfigUtil.loadConfig(); // keeps the __vertx.* map definitions
    hazelcast.setClusterName(clusterName);
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.logging.type", "jdk");
    // Our own shutdown hook leaves the cluster last (DESIGN.md, graceful shutdown).
    hazelcast.setProperty("hazelcast.shutdownhook.enabled", "false");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(true).setPortCount(20);
    network.getInterfaces().setEnabled(true).addInterface(config.clusterHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    config.clusterMembers().forEach(member -> join.getTcpIpConfig().addMember(member));
    return hazelcast;
  }
}
