package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.Store;
import io.sobranie.realtime.gateway.hub.Hub;
import io.sobranie.realtime.gateway.hub.Streams;
import io.sobranie.realtime.gateway.limits.NodeLimits;
import io.sobranie.realtime.gateway.session.PollPresence;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gateway's parts built as {@link GatewayRole#deploy} builds them, for tests of one part
 * (hub, session) on a plain Vert.x and an in-memory store: no HTTP, no cluster.
 */
public final class TestGateway {
  /** How long any test step may wait. */
  public static final int WAIT_SECONDS = 10;

  private TestGateway() {
  }

  /** The configuration of a node with defaults (the in-memory store, the default channel rules). */
  public static RealtimeConfig config() {
    return ConfigLoader.load(Map.of("JWT_SECRET", "test-secret-0123456789-abcdefghijklmnop", "NODE_ID", "test-node"));
  }

  /** The node's metrics, as the hub and the sessions count them (their constructor is the role's). */
  public static GatewayMetrics metrics() {
    return new GatewayMetrics(() -> 0);
  }

  /** Everything a session shares, as {@link GatewayRole#deploy} builds it; the hub is not started. */
  public static GatewayContext context(Vertx vertx, RealtimeConfig config, Store store) {
    Streams streams = new Streams(store.history(), store.notifications());
    NodeLimits limits = new NodeLimits(config);
    GatewayMetrics metrics = new GatewayMetrics(limits::localUsers);
    AtomicBoolean draining = new AtomicBoolean();
    BusClient bus = new BusClient(vertx);
    String incarnation = config.nodeId() + "~test";
    return new GatewayContext(config, incarnation, null, store, null, streams, new Hub(streams, metrics), bus, limits, metrics,
        new Health(vertx, config.nodeId(), store, draining::get), draining,
        new PollPresence(bus, incarnation, config.pollLeaseMs(), config.maxConnections()));
  }

  /** A new event-loop context of its own (a verticle's), as the hub and each HTTP verticle have. */
  public static Context newEventLoop(Vertx vertx) {
    Context[] loop = new Context[1];
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        loop[0] = context;
        return Future.succeededFuture();
      }
    }));
    return loop[0];
  }

  /** The result of {@code future}, waiting at most {@link #WAIT_SECONDS} (never on an event loop). */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not completed within " + WAIT_SECONDS + " s", e);
    }
  }
}
