package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.BlobStore;
import io.sobranie.realtime.common.store.Store;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Deploys the gateway role of a node: its presence lease, the hub, then one HTTP verticle per event loop on one port. */
public final class GatewayRole {
  private GatewayRole() {
  }

  /** Deploys and answers the port the gateway listens on. */
  public static Future<Integer> deploy(Vertx vertx, RealtimeConfig config, TokenVerifier verifier, Store store,
                                       BlobStore blobs, int instances) {
    Streams streams = new Streams(store.history(), store.notifications());
    GatewayContext gateway = new GatewayContext(config, verifier, store, blobs, streams, new Hub(streams), new BusClient(vertx),
        new NodeLimits(config));
    vertx.setPeriodic(30_000, id -> gateway.limits().sweep(System.currentTimeMillis()));
    List<GatewayVerticle> verticles = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(new LeaseVerticle(store.presence(), config.nodeId(), config.heartbeatMs()))
        .compose(lease -> vertx.deployVerticle(new HubVerticle(gateway.hub())))
        .compose(hub -> vertx.deployVerticle(() -> {
          GatewayVerticle verticle = new GatewayVerticle(gateway);
          verticles.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(instances)))
        .compose(id -> {
          // Vert.x shares one server socket among the instances; check that it did.
          Set<Integer> ports = verticles.stream().map(GatewayVerticle::actualPort).collect(Collectors.toSet());
          return ports.size() == 1
              ? Future.succeededFuture(ports.iterator().next())
              : Future.failedFuture(new IllegalStateException("gateway instances listen on different ports " + ports));
        });
  }
}
