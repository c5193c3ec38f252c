package io.sobranie.realtime.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a gateway node counts, for {@code GET /metrics} (Prometheus) and {@code GET /realtime/stats}.
 * Uses the Vert.x Micrometer registry when the node was started with metrics (then event-bus and
 * JVM meters come along), else a registry of its own.
 */
final class GatewayMetrics {
  static final String[] TRANSPORTS = {"websocket", "sse", "poll"};

  final PrometheusMeterRegistry registry;
  private final String nodeId;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, Counter> connects = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
  private final Counter rateLimited;
  private final Counter slowConsumers;
  private final DistributionSummary deliveryLatency;
  private final LongAdder messagesIn = new LongAdder();
  private final LongAdder messagesOut = new LongAdder();

  /** @param nodeId tags every meter, so nodes sharing a registry (tests) or a dashboard stay apart */
  GatewayMetrics(String nodeId) {
    MeterRegistry vertxRegistry = BackendRegistries.getDefaultNow();
    registry = vertxRegistry instanceof PrometheusMeterRegistry prometheus ? prometheus
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    for (String transport : TRANSPORTS) {
      AtomicInteger count = new AtomicInteger();
      open.put(transport, count);
      Gauge.builder("realtime_connections", count, AtomicInteger::get).tag("transport", transport).tag("node", nodeId)
          .description("open client sessions").register(registry);
    }
    this.nodeId = nodeId;
    Counter.builder("realtime_frames_out").tag("node", nodeId).description("objects written to clients").register(registry);
    rateLimited = Counter.builder("realtime_rate_limited").tag("node", nodeId)
        .description("requests refused by a rate limit").register(registry);
    slowConsumers = Counter.builder("realtime_slow_consumer_closes").tag("node", nodeId)
        .description("connections closed 1013 as slow consumers").register(registry);
    deliveryLatency = DistributionSummary.builder("realtime_delivery_latency_seconds")
        .description("from acceptance of a message to its hand-over to this node's connections")
        .tag("node", nodeId)
        .serviceLevelObjectives(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
  }

  void opened(String transport) {
    open.get(transport).incrementAndGet();
  }

  void closed(String transport) {
    open.get(transport).decrementAndGet();
  }

  int open(String transport) {
    return open.get(transport).get();
  }

  /** A connection attempt and its outcome ({@code accepted}, {@code unauthorized}, {@code cap}, {@code origin}, …). */
  void connect(String transport, String outcome) {
    connects.computeIfAbsent(transport + '/' + outcome, key -> Counter.builder("realtime_connects")
        .tag("transport", transport).tag("outcome", outcome).tag("node", nodeId).register(registry)).increment();
  }

  void frameIn(String type) {
    framesIn.computeIfAbsent(type, t -> Counter.builder("realtime_frames_in").tag("type", t).tag("node", nodeId)
        .register(registry)).increment();
  }

  void messageAccepted() {
    messagesIn.increment();
  }

  void written(int objects) {
    messagesOut.add(objects);
  }

  long messagesIn() {
    return messagesIn.sum();
  }

  long messagesOut() {
    return messagesOut.sum();
  }

  void rateLimited() {
    rateLimited.increment();
  }

  void slowConsumer() {
    slowConsumers.increment();
  }

  double slowConsumerCloses() {
    return slowConsumers.count();
  }

  void delivered(long acceptedAtMs) {
    deliveryLatency.record(Math.max(0, System.currentTimeMillis() - acceptedAtMs) / 1000.0);
  }

  /** Keeps {@code realtime_frames_out} in step with {@link #messagesOut} at scrape time. */
  String scrape() {
    Counter out = registry.find("realtime_frames_out").tag("node", nodeId).counter();
    if (out != null) {
      double missing = messagesOut.sum() - out.count();
      if (missing > 0) {
        out.increment(missing);
      }
    }
    return registry.scrape();
  }
}
