package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.Store;

/** What every gateway component of a node shares: configuration, token verifier, store, streams, hub and bus. */
record GatewayContext(RealtimeConfig config, TokenVerifier verifier, Store store, Streams streams, Hub hub, BusClient bus) {
}
