package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.store.PresenceStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps this node's presence lease alive (DESIGN.md, Cluster): renewed every third of its
 * lifetime; when the node dies the lease lapses and presence reapers purge its connections.
 * The lease lasts one heartbeat, so with reapers looking every half heartbeat a dead node's
 * users go offline within two.
 */
final class LeaseVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(LeaseVerticle.class.getName());

  private final PresenceStore presence;
  private final String nodeId;
  private final long ttlMs;

  LeaseVerticle(PresenceStore presence, String nodeId, long ttlMs) {
    this.presence = presence;
    this.nodeId = nodeId;
    this.ttlMs = ttlMs;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(Math.max(10, ttlMs / 3), id -> renew()
        .onFailure(e -> LOG.log(Level.WARNING, "cannot renew the presence lease node=" + nodeId, e)));
    return renew(); // before the first connection is accepted
  }

  private Future<Void> renew() {
    return presence.renewLease(nodeId, ttlMs, System.currentTimeMillis());
  }
}
