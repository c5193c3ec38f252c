package io.sobranie.realtime.server;

import io.sobranie.realtime.chat.ChatVerticle;
import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.bus.Codecs;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.config.Role;
import io.sobranie.realtime.common.store.BlobStore;
import io.sobranie.realtime.common.store.FileBlobStore;
import io.sobranie.realtime.common.store.InMemoryStore;
import io.sobranie.realtime.common.store.Store;
import io.sobranie.realtime.gateway.GatewayRole;
import io.sobranie.realtime.notification.NotificationVerticle;
import io.sobranie.realtime.presence.PresenceVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One running node: the Vert.x instance, the store and the roles {@code ROLES} asks for. Used by
 * {@link Main} and by tests, so tests start exactly what production starts.
 */
public final class RealtimeNode {
  private static final long SWEEP_MS = 60_000;

  private final Vertx vertx;
  private final RealtimeConfig config;
  private final Store store;
  private final int port;

  private RealtimeNode(Vertx vertx, RealtimeConfig config, Store store, int port) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.port = port;
  }

  /** Starts a node on a Vert.x instance it then owns (closed by {@link #close}). */
  public static Future<RealtimeNode> start(Vertx vertx, RealtimeConfig config) {
    return start(vertx, config, new InMemoryStore(config.channelRules()::historyLimits));
  }

  /**
   * Starts a node on a given store: nodes of one JVM sharing an in-memory store behave like
   * nodes sharing Redis (used by tests of what crosses nodes through the store).
   */
  public static Future<RealtimeNode> start(Vertx vertx, RealtimeConfig config, InMemoryStore store) {
    if (config.redisUrl() != null) {
      return Future.failedFuture(new IllegalStateException(
          "REDIS_URL: the Redis store is not part of this version yet; unset REDIS_URL to use the in-memory store"));
    }
    if (config.cluster()) {
      return Future.failedFuture(new IllegalStateException("CLUSTER: clustering is not part of this version yet"));
    }
    Codecs.register(vertx);
    FileBlobStore blobs = new FileBlobStore(vertx, Path.of(config.blobDir()), config.historyTtlSeconds() * 1000,
        System::currentTimeMillis);
    vertx.setPeriodic(SWEEP_MS, id -> {
      store.sweep();
      blobs.sweep();
    });
    return blobs.init()
        .compose(v -> TokenVerifier.create(vertx, config))
        .compose(verifier -> deployRoles(vertx, config, verifier, store, blobs))
        .map(port -> new RealtimeNode(vertx, config, store, port));
  }

  private static Future<Integer> deployRoles(Vertx vertx, RealtimeConfig config, TokenVerifier verifier, Store store,
                                             BlobStore blobs) {
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
    return Future.all(services).compose(v -> config.runs(Role.GATEWAY)
        ? GatewayRole.deploy(vertx, config, verifier, store, blobs, Math.max(1, Runtime.getRuntime().availableProcessors()))
        : Future.succeededFuture(-1));
  }

  /** The HTTP port of the gateway, or -1 when this node runs no gateway. */
  public int port() {
    return port;
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

  public Future<Void> close() {
    return vertx.close().compose(v -> store.close());
  }
}
