package io.sobranie.realtime.gateway.admin;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.NodeStats;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.config.Role;
import io.sobranie.realtime.common.store.Store;
import io.sobranie.realtime.gateway.Health;
import io.sobranie.realtime.gateway.limits.EventLoopWatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes this node's {@link NodeStats} on {@link Addresses#ADMIN_STATS} every
 * {@value #INTERVAL_MS} ms, for every gateway's {@link ClusterView}. The work is per second, never
 * per message: counters already kept, one pass of the hub over its streams, and one store health
 * write (skipped while the previous one has not answered).
 */
public final class StatsPublisher extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(StatsPublisher.class.getName());
  public static final long INTERVAL_MS = 1000;

  private final String nodeId;
  private final List<String> roles;
  private final String storeKind;
  private final Store store;
  private final EventLoopWatch loops;
  private final BooleanSupplier draining;
  private final Supplier<Future<NodeStats.Traffic>> traffic;
  private final long startedAt = System.currentTimeMillis();
  private boolean pinging;
  private boolean storeUp;
  private long storeLatencyMs = -1;

  /**
   * @param traffic the gateway's counts ({@link GatewayTraffic}), or {@link NodeStats.Traffic#NONE}
   *                on a node without the gateway role
   */
  public StatsPublisher(RealtimeConfig config, Store store, EventLoopWatch loops, BooleanSupplier draining,
                        Supplier<Future<NodeStats.Traffic>> traffic) {
    this.nodeId = config.nodeId();
    this.roles = config.roles().stream().map(Role::configName).toList();
    this.storeKind = config.redisServers() != null ? "redis" : "memory";
    this.store = store;
    this.loops = loops;
    this.draining = draining;
    this.traffic = traffic;
  }

  @Override
  public Future<?> start() {
    pingStore();
    vertx.setPeriodic(INTERVAL_MS, id -> {
      pingStore();
      publish();
    });
    return Future.succeededFuture();
  }

  private void publish() {
    traffic.get().onComplete(counted -> context.runOnContext(v -> {
      if (counted.failed()) {
        LOG.log(Level.FINE, "no stats this second node=" + nodeId, counted.cause());
        return;
      }
      long now = System.currentTimeMillis();
      ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
      NodeStats stats = new NodeStats(nodeId, roles, startedAt, now, draining.getAsBoolean(),
          new NodeStats.Loops(loops.loops(), loops.blocked(now), loops.takeLagMs(now)),
          counted.result(),
          new NodeStats.Dependencies(storeKind, storeUp, storeLatencyMs, cluster != null,
              cluster == null || cluster.isActive(), cluster == null ? 1 : cluster.getNodes().size()));
      vertx.eventBus().publish(Addresses.ADMIN_STATS, stats.toJson());
    }));
  }

  /** The same write as the readiness probe's, timed; one at a time, so a stuck store does not pile them up. */
  private void pingStore() {
    if (pinging) {
      return;
    }
    pinging = true;
    long start = System.nanoTime();
    store.ping().timeout(Health.STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ping -> context.runOnContext(v -> {
      pinging = false;
      storeUp = ping.succeeded();
      storeLatencyMs = ping.succeeded() ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) : -1;
    }));
  }
}
