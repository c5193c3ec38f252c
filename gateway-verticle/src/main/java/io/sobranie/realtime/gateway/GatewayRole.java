package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.Store;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Deploys the gateway role of a node: the hub, then one HTTP verticle per event loop on one port. */
public final class GatewayRole {
  private GatewayRole() {
  }

  /** Deploys and answers the port the gateway listens on. */
  public static Future<Integer> deploy(Vertx vertx, RealtimeConfig config, TokenVerifier verifier, Store store, int instances) {
    GatewayContext gateway = new GatewayContext(config, verifier, store, new Hub(store.history()));
    GatewayVerticle first = new GatewayVerticle(gateway, config.httpPort());
    return vertx.deployVerticle(new HubVerticle(gateway.hub()))
        .compose(hub -> vertx.deployVerticle(first))
        .compose(id -> {
          int port = first.actualPort(); // with HTTP_PORT=0 the others share the port the first got
          if (instances <= 1) {
            return Future.succeededFuture(port);
          }
          return vertx.deployVerticle(() -> new GatewayVerticle(gateway, port),
              new DeploymentOptions().setInstances(instances - 1)).map(port);
        });
  }
}
