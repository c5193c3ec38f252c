package io.sobranie.realtime.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.sobranie.realtime.common.config.ConfigException;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.logging.Logger;

/**
 * Builds the Vert.x instance of a node, with Micrometer metrics: standalone for the embedded default, or a member of a
 * Hazelcast cluster ({@code CLUSTER=true}) joined by a TCP-IP member list or Kubernetes DNS discovery, multicast off,
 * failure detection in seconds rather than Hazelcast's minute.
 */
public final class Cluster {
  /**
   * Micrometer's registry log, held so that its filter stays (the JDK keeps loggers weakly).
   * Vert.x's Micrometer binding registers its gauges again for every event-bus consumer, every
   * message received and every connection ({@code vertx.eventbus.handlers}, {@code .pending},
   * …): on purpose, each registration finds the one counter kept per meter id, so the values are
   * right (vert-x3/vertx-micrometer-metrics#259). Since 1.13.9 Micrometer logs the first
   * re-registration of a process as a WARNING, "This Gauge has been already registered", which
   * every node printed at start (micrometer-metrics/micrometer#6931). That message is dropped for
   * Vert.x's own meters only; about any other meter it still shows.
   */
  private static final Logger METER_REGISTRY_LOG = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  private Cluster() {
  }

  /** True for Micrometer's notice that one of Vert.x's own meters was registered again. */
  static boolean isVertxMeterReRegistration(String message) {
    return message != null && message.contains("has been already registered (MeterId{name='vertx.");
  }

  /** {@code CLUSTER_NAME} keeps deployments (and test runs) apart: only nodes of one name join. */
  public static Future<Vertx> vertx(RealtimeConfig config) {
    String clusterName = config.clusterName();
    METER_REGISTRY_LOG.setFilter(record -> !isVertxMeterReRegistration(record.getMessage()));
    // Prometheus metrics of the HTTP server and JVM, scraped at GET /metrics. Not the event bus:
    // its meters build tags for every message (DESIGN.md: no per-message metrics tags).
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true).setJvmMetricsEnabled(true).addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))
        .setPreferNativeTransport(true); // epoll where it loads (the start line says which)
    if (!config.cluster()) {
      return Future.succeededFuture(Vertx.vertx(options));
    }
    String host = address(config.clusterHost());
    options.getEventBusOptions().setHost(host).setPort(config.clusterEventBusPort()).setClusterPublicHost(host);
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast(config, clusterName)))
        .buildClustered();
  }

  /**
   * {@code CLUSTER_HOST} as an IP address: Hazelcast binds interfaces by address, so a host name
   * (a compose service, a pod's DNS name) is resolved here, once, before anything starts.
   */
  static String address(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("CLUSTER_HOST", "cannot resolve '" + host + "' to an address");
    }
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
    network.getInterfaces().setEnabled(true).addInterface(address(config.clusterHost()));
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (config.clusterServiceDns() != null) {
      // Hazelcast's Kubernetes discovery in DNS-lookup mode: the headless Service resolves to every
      // ready pod; no Kubernetes API access (RBAC) needed. Members listen on CLUSTER_PORT.
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", config.clusterServiceDns())
          .setProperty("service-port", String.valueOf(config.clusterPort()));
    } else {
      join.getTcpIpConfig().setEnabled(true);
      config.clusterMembers().forEach(member -> join.getTcpIpConfig().addMember(member));
    }
    return hazelcast;
  }
}
