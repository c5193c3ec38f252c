package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.BlobStore;
import io.sobranie.realtime.common.store.Store;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every gateway component of a node shares: configuration, verifier, stores, streams, hub,
 * bus, limits, and whether the node is draining (shutting down: health answers 503).
 */
record GatewayContext(RealtimeConfig config, TokenVerifier verifier, Store store, BlobStore blobs, Streams streams, Hub hub,
                      BusClient bus, NodeLimits limits, AtomicBoolean draining) {
}
