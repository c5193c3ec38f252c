package io.sobranie.realtime.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a gateway node counts, for {@code GET /metrics} (Prometheus) and {@code GET /realtime/stats}.
 * Uses the Vert.x Micrometer registry when the node was started with metrics (then event-bus and
 * JVM meters come along), else a registry of its own.
 */
final class GatewayMetrics {
  static final String[] TRANSPORTS = {"websocket", "sse", "poll"};

  /** Delivery latency buckets: local hand-overs take milliseconds, so most buckets are below 1 s. */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  final PrometheusMeterRegistry registry;
  private final String nodeId;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, Counter> connects = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
  private final Counter rateLimited;
  private final Counter slowConsumers;
  private final Timer deliveryLatency;
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
    // A Timer, not a DistributionSummary: a summary's fixed buckets round each value up to a whole
    // number, so every sub-second latency landed in le="1.0". Exported as realtime_delivery_latency_seconds.
    deliveryLatency = Timer.builder("realtime_delivery_latency")
        .description("from acceptance of a message to its hand-over to this node's connections")
        .tag("node", nodeId)
        .serviceLevelObjectives(LATENCY_BUCKETS)
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
    deliveryLatency.record(Math.max(0, System.currentTimeMillis() - acceptedAtMs), TimeUnit.MILLISECONDS);
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
