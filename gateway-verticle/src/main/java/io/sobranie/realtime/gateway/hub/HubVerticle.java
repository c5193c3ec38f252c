package io.sobranie.realtime.gateway.hub;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Runs the node's {@link Hub}: its deliver consumer and ordering state live on this verticle's context. */
public final class HubVerticle extends VerticleBase {
  private final Hub hub;

  public HubVerticle(Hub hub) {
    this.hub = hub;
  }

  @Override
  public Future<?> start() {
    return hub.start(vertx);
  }

  @Override
  public Future<?> stop() {
    return hub.stop();
  }
}
