package io.sobranie.realtime.gateway.admin;

import io.sobranie.realtime.common.bus.NodeStats;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.GatewayMetrics;
import io.vertx.core.Future;
import java.util.function.Supplier;

/** A gateway node's part of its {@link NodeStats}: the metrics' counters, and what the hub's connections follow. */
public final class GatewayTraffic implements Supplier<Future<NodeStats.Traffic>> {
  private final GatewayContext gateway;

  public GatewayTraffic(GatewayContext gateway) {
    this.gateway = gateway;
  }

  @Override
  public Future<NodeStats.Traffic> get() {
    GatewayMetrics metrics = gateway.metrics();
    return gateway.hub().followed(NodeStats.MAX_TOP_CHANNELS).map(followed -> new NodeStats.Traffic(
        new NodeStats.Connections(metrics.open("websocket"), metrics.open("sse"), metrics.open("poll")),
        gateway.limits().localUsers(), followed.streams(), metrics.messagesIn(), metrics.messagesOut(),
        (long) metrics.slowConsumerCloses(), metrics.errorCounts(), followed.topChannels()));
  }
}
