package io.sobranie.realtime.server;

import io.sobranie.realtime.chat.ChatVerticle;
import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.bus.Codecs;
import io.sobranie.realtime.common.bus.NodeStats;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.config.Role;
import io.sobranie.realtime.common.store.BlobStore;
import io.sobranie.realtime.common.store.FileBlobStore;
import io.sobranie.realtime.common.store.InMemoryStore;
import io.sobranie.realtime.common.store.RedisStore;
import io.sobranie.realtime.common.store.Store;
import io.sobranie.realtime.gateway.GatewayRole;
import io.sobranie.realtime.gateway.Health;
import io.sobranie.realtime.gateway.admin.StatsPublisher;
import io.sobranie.realtime.gateway.limits.EventLoopWatch;
import io.sobranie.realtime.notification.NotificationVerticle;
import io.sobranie.realtime.presence.PresenceVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Route;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running node: the Vert.x instance, the store and the roles {@code ROLES} asks for. Used by
 * {@link Main} and by tests, so tests start exactly what production starts.
 */
public final class RealtimeNode {
  private static final long SWEEP_MS = 60_000;

  private final Vertx vertx;
  private final RealtimeConfig config;
  private final Store store;
  private final GatewayRole gateway;
  private final AtomicBoolean draining;
  private final int managementPort;

  private RealtimeNode(Vertx vertx, RealtimeConfig config, Store store, GatewayRole gateway, AtomicBoolean draining,
                       int managementPort) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.gateway = gateway;
    this.draining = draining;
    this.managementPort = managementPort;
  }

  /**
   * Starts a node on a Vert.x instance it then owns (closed by {@link #close}), with the Redis
   * store when {@code REDIS_URL} is set (standalone, Sentinel or Cluster, as {@code REDIS_MODE} says),
   * else the in-memory one.
   */
  public static Future<RealtimeNode> start(Vertx vertx, RealtimeConfig config) {
    Future<Store> store = config.redisServers() != null
        ? RedisStore.connect(vertx, RedisStore.options(config.redisServers()), config.redisPrefix(),
            config.channelRules()::historyLimits, System::currentTimeMillis).map(Store.class::cast)
        : Future.succeededFuture(new InMemoryStore(config.channelRules()::historyLimits));
    return store.compose(s -> start(vertx, config, s));
  }

  /**
   * Starts a node on a given store: nodes of one JVM sharing an in-memory store behave like
   * nodes sharing Redis (used by tests of what crosses nodes through the store).
   */
  public static Future<RealtimeNode> start(Vertx vertx, RealtimeConfig config, Store store) {
    Codecs.register(vertx);
    FileBlobStore blobs = new FileBlobStore(vertx, Path.of(config.blobDir()), config.historyTtlSeconds() * 1000,
        System::currentTimeMillis);
    vertx.setPeriodic(SWEEP_MS, id -> {
      if (store instanceof InMemoryStore memory) {
        memory.sweep();
      }
      blobs.sweep();
    });
    AtomicBoolean draining = new AtomicBoolean();
    return blobs.init()
        .compose(v -> TokenVerifier.create(vertx, config))
        .compose(verifier -> deployRoles(vertx, config, verifier, store, blobs, draining))
        .compose(gateway -> (config.managementPort() < 0 ? Future.succeededFuture(-1)
            : ManagementServer.start(vertx, config.httpHost(), config.managementPort(),
                new Health(vertx, config.nodeId(), store, () -> draining.get() || gateway != null && gateway.draining()))
                .map(HttpServer::actualPort))
            .map(management -> new RealtimeNode(vertx, config, store, gateway, draining, management)));
  }

  private static Future<GatewayRole> deployRoles(Vertx vertx, RealtimeConfig config, TokenVerifier verifier, Store store,
                                             BlobStore blobs, AtomicBoolean draining) {
    List<Future<?>> services = new ArrayList<>();
    if (config.runs(Role.CHAT)) {
      services.add(vertx.deployVerticle(new ChatVerticle(config.channelRules(), store.history(), store.presence())));
    }
    if (config.runs(Role.PRESENCE)) {
      services.add(vertx.deployVerticle(new PresenceVerticle(store.presence(), config.presenceGraceMs(),
          Math.max(100, config.heartbeatMs() / 2))));
    }
    if (config.runs(Role.NOTIFICATION)) {
      services.add(vertx.deployVerticle(new NotificationVerticle(store.notifications(), store.presence())));
    }
    if (!config.runs(Role.GATEWAY)) {
      // The gateway publishes its node's stats itself; a node without it still shows on the admin page.
      services.add(vertx.deployVerticle(new StatsPublisher(config, store, new EventLoopWatch(vertx), draining::get,
          () -> Future.succeededFuture(NodeStats.Traffic.NONE))));
    }
    return Future.all(services).compose(v -> config.runs(Role.GATEWAY)
        ? GatewayRole.deploy(vertx, config, verifier, store, blobs, Math.max(1, Runtime.getRuntime().availableProcessors()))
        : Future.succeededFuture(null));
  }

  /** The port of {@code MANAGEMENT_PORT}'s server (the real one when configured with 0), or -1 when there is none. */
  public int managementPort() {
    return managementPort;
  }

  /** The HTTP port of the gateway, or -1 when this node runs no gateway. */
  public int port() {
    return gateway == null ? -1 : gateway.port();
  }

  /** The gateway's HTTP routes, none without the gateway role (for the test that holds docs/openapi.yaml to them). */
  public List<Route> routes() {
    return gateway == null ? List.of() : gateway.routes();
  }

  public RealtimeConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Store store() {
    return store;
  }

  /** Closes the store, then Vert.x (which leaves the cluster last). */
  public Future<Void> close() {
    return store.close().recover(e -> Future.succeededFuture()).compose(v -> vertx.close());
  }

  /**
   * Graceful shutdown (SIGTERM): the gateway drains and sends its clients away (presence hears of
   * each), then the store and Vert.x close, leaving the cluster last. Bounded by
   * {@code SHUTDOWN_DEADLINE_MS}: past it the node closes regardless.
   */
  public Future<Void> shutdown() {
    draining.set(true);
    Promise<Void> gatewayDone = Promise.promise();
    long deadline = vertx.setTimer(config.shutdownDeadlineMs(), t -> gatewayDone.tryFail("shutdown deadline passed"));
    (gateway == null ? Future.<Void>succeededFuture() : gateway.shutdown()).onComplete(done -> {
      vertx.cancelTimer(deadline);
      gatewayDone.tryComplete();
    });
    return gatewayDone.future().recover(e -> Future.succeededFuture()).compose(v -> close());
  }
}
