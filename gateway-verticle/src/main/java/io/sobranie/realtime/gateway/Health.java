package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.store.Store;
import io.sobranie.realtime.gateway.limits.EventLoopWatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The node's two probes (PROTOCOL.md section 6), served by the gateway and by the management port:
 * {@code /health/live} is liveness (the process and its event loops answer, whatever the store or
 * the cluster says: a Redis outage must not restart every pod), {@code /health} is readiness (the
 * store takes a write, the cluster membership is active, every loop runs, the node is not draining).
 */
public final class Health {
  /** A store that has not answered a health probe within this is reported DOWN. */
  public static final long STORE_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final String nodeId;
  private final Store store;
  private final EventLoopWatch loops;
  private final BooleanSupplier draining;

  public Health(Vertx vertx, String nodeId, Store store, BooleanSupplier draining) {
    this(vertx, nodeId, store, new EventLoopWatch(vertx), draining);
  }

  public Health(Vertx vertx, String nodeId, Store store, EventLoopWatch loops, BooleanSupplier draining) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.loops = loops;
    this.draining = draining;
  }

  /** {@code GET /health/live}: 200 while every event loop runs, else 503. */
  public void live(RoutingContext ctx) {
    boolean loopsUp = loops.blocked(System.currentTimeMillis()) == 0;
    answer(ctx, loopsUp, loopsUp ? "UP" : "DOWN", new JsonArray().add(check("event-loops", loopsUp)));
  }

  /** {@code GET /health}: 200 when the store takes writes, every loop runs and the cluster is active; 503 otherwise and while draining. */
  public void ready(RoutingContext ctx) {
    ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
    boolean clusterUp = cluster == null || cluster.isActive();
    boolean loopsUp = loops.blocked(System.currentTimeMillis()) == 0;
    store.ping().timeout(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ping -> {
      boolean leaving = draining.getAsBoolean();
      boolean up = ping.succeeded() && clusterUp && loopsUp && !leaving;
      JsonArray checks = new JsonArray().add(check("store", ping.succeeded())).add(check("event-loops", loopsUp));
      if (cluster != null) {
        checks.add(check("cluster", clusterUp));
      }
      answer(ctx, up, leaving ? "DRAINING" : up ? "UP" : "DOWN", checks);
    });
  }

  private void answer(RoutingContext ctx, boolean up, String status, JsonArray checks) {
    ctx.response().setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("status", status).put("node", nodeId).put("checks", checks).encode());
  }

  private static JsonObject check(String id, boolean up) {
    return new JsonObject().put("id", id).put("status", up ? "UP" : "DOWN");
  }
}
