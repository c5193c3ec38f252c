package io.sobranie.realtime.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sobranie.realtime.common.ErrorCode;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What a gateway node counts, for {@code GET /metrics} (Prometheus) and {@code GET /realtime/stats}.
 * Uses the Vert.x Micrometer registry when the node was started with metrics (then event-bus and
 * JVM meters come along), else a registry of its own. One node per registry: meters carry no node
 * label (Prometheus's {@code instance} names the scraped node; a label minted per process would
 * start new series at every restart).
 *
 * <p>Messages, errors and recoveries are counted in meters registered up front and held (arrays
 * indexed by enum), so an increment builds no tags and searches no map. {@code realtime_frames_in}
 * and {@code realtime_connects} are still found in a map by their label per increment.
 */
public final class GatewayMetrics {
  static final String[] TRANSPORTS = {"websocket", "sse", "poll"};
  /** The key of this node's metrics in every {@code RoutingContext} of the gateway's router (REST errors are counted). */
  public static final String CONTEXT_KEY = GatewayMetrics.class.getName();

  /** Where a message entered this node: the {@code path} label of {@code realtime_messages_in_total}. */
  public enum MessagePath {
    /** A WebSocket {@code message} frame. */
    WEBSOCKET("websocket"),
    /** A WebSocket binary frame relayed to a channel. */
    WEBSOCKET_BINARY("websocket_binary"),
    /** {@code POST /realtime/messages}. */
    REST("rest"),
    /** A service's {@code POST /realtime/publish}. */
    SERVICE_PUBLISH("service_publish"),
    /** A service's {@code POST /realtime/broadcast}. */
    SERVICE_BROADCAST("service_broadcast");

    final String label;

    MessagePath(String label) {
      this.label = label;
    }
  }

  /** Delivery latency buckets: local hand-overs take milliseconds, so most buckets are below 1 s. */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  final PrometheusMeterRegistry registry;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, Counter> connects = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
  private final Counter[] messagesIn = new Counter[MessagePath.values().length];
  private final Counter[] errors = new Counter[ErrorCode.values().length];
  /** By transport: [not recovered, recovered]. */
  private final Map<String, Counter[]> recoveries = new ConcurrentHashMap<>();
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final Counter rateLimited;
  private final Counter slowConsumers;
  private final Timer deliveryLatency;
  private final LongAdder messagesOut = new LongAdder();

  /** @param usersOnline distinct users with a session on this node (read at scrape time) */
  GatewayMetrics(IntSupplier usersOnline) {
    MeterRegistry vertxRegistry = BackendRegistries.getDefaultNow();
    registry = vertxRegistry instanceof PrometheusMeterRegistry prometheus ? prometheus
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    for (String transport : TRANSPORTS) {
      AtomicInteger count = new AtomicInteger();
      open.put(transport, count);
      Gauge.builder("realtime_connections", count, AtomicInteger::get).tag("transport", transport)
          .description("Open client sessions on this node, by transport").register(registry);
      recoveries.put(transport, new Counter[] {recoveryCounter(transport, false), recoveryCounter(transport, true)});
    }
    for (MessagePath path : MessagePath.values()) {
      messagesIn[path.ordinal()] = Counter.builder("realtime_messages_in").tag("path", path.label)
          .description("Messages accepted by this node for their channels (idempotent repeats not counted), by the path they came in on")
          .register(registry);
    }
    for (ErrorCode code : ErrorCode.values()) {
      errors[code.ordinal()] = Counter.builder("realtime_errors").tag("code", code.wire())
          .description("Errors sent to clients (WebSocket and SSE error frames, REST error bodies), by wire code")
          .register(registry);
    }
    Gauge.builder("realtime_subscriptions", subscriptions, AtomicInteger::get)
        .description("Channel subscriptions held by this node's sessions (the implicit notification and broadcast streams not counted)")
        .register(registry);
    Gauge.builder("realtime_users_online", usersOnline, IntSupplier::getAsInt).strongReference(true)
        .description("Distinct users with at least one session on this node").register(registry);
    FunctionCounter.builder("realtime_frames_out", messagesOut, LongAdder::sum)
        .description("Objects written to clients (events, replies, errors)").register(registry);
    rateLimited = Counter.builder("realtime_rate_limited")
        .description("Requests refused by a rate limit").register(registry);
    slowConsumers = Counter.builder("realtime_slow_consumer_closes")
        .description("Sessions closed as slow consumers (WebSocket 1013)").register(registry);
    // A Timer, not a DistributionSummary: a summary's fixed buckets round each value up to a whole
    // number, so every sub-second latency landed in le="1.0". Exported as realtime_delivery_latency_seconds.
    deliveryLatency = Timer.builder("realtime_delivery_latency")
        .description("From a message's acceptance to its hand-over to this node's connections")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  private Counter recoveryCounter(String transport, boolean recovered) {
    return Counter.builder("realtime_recoveries").tag("transport", transport).tag("recovered", String.valueOf(recovered))
        .description("Streams resumed from a client's position (subscribe with since, SSE or poll cursor), by whether every missed event was replayed")
        .register(registry);
  }

  public void opened(String transport) {
    open.get(transport).incrementAndGet();
  }

  public void closed(String transport) {
    open.get(transport).decrementAndGet();
  }

  public int open(String transport) {
    return open.get(transport).get();
  }

  /** A connection attempt and its outcome ({@code accepted}, {@code unauthorized}, {@code cap}, {@code origin}, …). */
  public void connect(String transport, String outcome) {
    connects.computeIfAbsent(transport + '/' + outcome, key -> Counter.builder("realtime_connects")
        .tag("transport", transport).tag("outcome", outcome)
        .description("Connection attempts, by transport and outcome").register(registry)).increment();
  }

  public void frameIn(String type) {
    framesIn.computeIfAbsent(type, t -> Counter.builder("realtime_frames_in").tag("type", t)
        .description("WebSocket frames received from clients, by type").register(registry)).increment();
  }

  /** A new message was accepted (a repeat of an idempotency key is not a new message). */
  public void messageAccepted(MessagePath path) {
    messagesIn[path.ordinal()].increment();
  }

  /** An {@code error} frame or REST error body went to a client. */
  public void errorSent(ErrorCode code) {
    errors[code.ordinal()].increment();
  }

  /** A stream resumed from a client's position: whether the events it missed were all replayed. */
  public void resumed(String transport, boolean recovered) {
    recoveries.get(transport)[recovered ? 1 : 0].increment();
  }

  /** {@code delta} channel subscriptions more (or, negative, fewer). */
  public void subscriptions(int delta) {
    subscriptions.addAndGet(delta);
  }

  public void written(int objects) {
    messagesOut.add(objects);
  }

  /** Messages accepted on every path: {@code messages_in} of {@code /realtime/stats}. */
  public long messagesIn() {
    double sum = 0;
    for (Counter counter : messagesIn) {
      sum += counter.count();
    }
    return (long) sum;
  }

  /** Errors sent to clients so far, by wire code; codes never sent are left out. */
  public Map<String, Long> errorCounts() {
    Map<String, Long> counts = new java.util.LinkedHashMap<>();
    for (ErrorCode code : ErrorCode.values()) {
      long count = (long) errors[code.ordinal()].count();
      if (count > 0) {
        counts.put(code.wire(), count);
      }
    }
    return counts;
  }

  public long messagesOut() {
    return messagesOut.sum();
  }

  public void rateLimited() {
    rateLimited.increment();
  }

  public void slowConsumer() {
    slowConsumers.increment();
  }

  public double slowConsumerCloses() {
    return slowConsumers.count();
  }

  public void delivered(long acceptedAtMs) {
    deliveryLatency.record(Math.max(0, System.currentTimeMillis() - acceptedAtMs), TimeUnit.MILLISECONDS);
  }

  public String scrape() {
    return registry.scrape();
  }
}
