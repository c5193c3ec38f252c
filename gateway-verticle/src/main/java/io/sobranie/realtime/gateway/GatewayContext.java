package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.BlobStore;
import io.sobranie.realtime.common.store.Store;
import io.sobranie.realtime.gateway.hub.Hub;
import io.sobranie.realtime.gateway.hub.Streams;
import io.sobranie.realtime.gateway.limits.NodeLimits;
import io.sobranie.realtime.gateway.session.PollPresence;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every gateway component of a node shares: configuration, verifier, stores, streams, hub,
 * bus, limits, metrics, the node's probes, whether the node is draining (shutting down:
 * readiness answers 503), and the presence of its long-polling users.
 *
 * @param incarnation this run of the node in the presence registry ({@code NODE_ID~random}): a node
 *                    restarted under the same {@code NODE_ID} never inherits the connections of its
 *                    previous run, which the reaper purges once that run's lease lapses
 */
public record GatewayContext(RealtimeConfig config, String incarnation, TokenVerifier verifier, Store store, BlobStore blobs, Streams streams, Hub hub,
                      BusClient bus, NodeLimits limits, GatewayMetrics metrics, Health health, AtomicBoolean draining,
                      PollPresence pollPresence) {
}
