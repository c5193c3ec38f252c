package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.BlobStore;
import io.sobranie.realtime.common.store.Store;
import io.sobranie.realtime.gateway.admin.ClusterView;
import io.sobranie.realtime.gateway.admin.GatewayTraffic;
import io.sobranie.realtime.gateway.admin.StatsPublisher;
import io.sobranie.realtime.gateway.hub.Hub;
import io.sobranie.realtime.gateway.hub.HubVerticle;
import io.sobranie.realtime.gateway.hub.Streams;
import io.sobranie.realtime.gateway.limits.EventLoopWatch;
import io.sobranie.realtime.gateway.limits.NodeLimits;
import io.sobranie.realtime.gateway.session.PollPresence;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The gateway role of a node: its presence lease, the hub, the presence of its polling users, its
 * view of the cluster and its stats for the admin page, then one HTTP verticle per event loop on
 * one port; and the gateway's part of a graceful shutdown.
 */
public final class GatewayRole {
  private final Vertx vertx;
  private final GatewayContext gateway;
  private final int port;
  private final String httpDeployment;
  private final GatewayVerticle http;

  private GatewayRole(Vertx vertx, GatewayContext gateway, int port, String httpDeployment, GatewayVerticle http) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.port = port;
    this.httpDeployment = httpDeployment;
    this.http = http;
  }

  /** Deploys the role; answers it once it listens. */
  public static Future<GatewayRole> deploy(Vertx vertx, RealtimeConfig config, TokenVerifier verifier, Store store,
                                           BlobStore blobs, int instances) {
    Streams streams = new Streams(store.history(), store.notifications());
    NodeLimits limits = new NodeLimits(config);
    GatewayMetrics metrics = new GatewayMetrics(limits::localUsers);
    String incarnation = config.nodeId() + "~" + Ids.shortRandom();
    AtomicBoolean draining = new AtomicBoolean();
    BusClient bus = new BusClient(vertx);
    PollPresence pollPresence = new PollPresence(bus, incarnation, config.pollLeaseMs(), config.maxConnections());
    EventLoopWatch loops = new EventLoopWatch(vertx);
    GatewayContext gateway = new GatewayContext(config, incarnation, verifier, store, blobs, streams, new Hub(streams, metrics),
        bus, limits, metrics, new Health(vertx, config.nodeId(), store, loops, draining::get), draining, pollPresence);
    vertx.setPeriodic(30_000, id -> gateway.limits().sweep(System.currentTimeMillis()));
    ClusterView cluster = new ClusterView(config.nodeId());
    List<GatewayVerticle> verticles = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(new LeaseVerticle(store.presence(), incarnation, config.heartbeatMs()))
        .compose(lease -> vertx.deployVerticle(new HubVerticle(gateway.hub())))
        .compose(hub -> vertx.deployVerticle(pollPresence))
        .compose(polls -> vertx.deployVerticle(cluster))
        .compose(view -> vertx.deployVerticle(new StatsPublisher(config, store, loops, draining::get, new GatewayTraffic(gateway))))
        .compose(stats -> vertx.deployVerticle(() -> {
          GatewayVerticle verticle = new GatewayVerticle(gateway, cluster);
          verticles.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(instances)))
        .compose(id -> {
          // Vert.x shares one server socket among the instances; check that it did.
          Set<Integer> ports = verticles.stream().map(GatewayVerticle::actualPort).collect(Collectors.toSet());
          return ports.size() == 1
              ? Future.succeededFuture(new GatewayRole(vertx, gateway, ports.iterator().next(), id, verticles.get(0)))
              : Future.failedFuture(new IllegalStateException("gateway instances listen on different ports " + ports));
        });
  }

  /** The HTTP routes (every instance registers the same): the contract test compares them with docs/openapi.yaml. */
  public List<Route> routes() {
    return http.routes();
  }

  /** True once the node drains (readiness says 503). */
  public boolean draining() {
    return gateway.draining().get();
  }

  /** The port the gateway listens on (the real one when configured with 0). */
  public int port() {
    return port;
  }

  /**
   * The gateway's graceful stop (DESIGN.md): health answers 503 for {@code SHUTDOWN_DRAIN_MS} so
   * load balancers stop sending, then the HTTP verticles close their server and send every
   * session away with a jittered {@code reconnect}, and presence hears of every close, long-polling
   * users' included.
   */
  public Future<Void> shutdown() {
    gateway.draining().set(true);
    Promise<Void> drained = Promise.promise();
    vertx.setTimer(Math.max(1, gateway.config().shutdownDrainMs()), t -> drained.complete());
    return drained.future().compose(v -> vertx.undeploy(httpDeployment)).compose(v -> gateway.pollPresence().releaseAll());
  }
}
