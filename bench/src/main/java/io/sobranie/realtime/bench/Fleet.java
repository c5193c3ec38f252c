package io.sobranie.realtime.bench;

import io.sobranie.realtime.common.auth.DevTokens;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The simulated clients of one run: opens them with a bounded number of handshakes in flight,
 * spread over the gateways ({@code --url}), the local addresses ({@code --bind}) and the tool's
 * event loops; counts failures by reason and drops after readiness.
 */
final class Fleet {
  private static final long TOKEN_TTL_SECONDS = 86_400;

  private final Options options;
  private final List<Context> loops;
  private final IntFunction<String[]> channelsOf;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<URI> gateways = new ArrayList<>();
  private final List<Conn> conns = new ArrayList<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> drops = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> exceptions = new ConcurrentHashMap<>();
  private final AtomicInteger readyCount = new AtomicInteger();
  private final Recorder readyLatency = new Recorder(TimeUnit.MINUTES.toMicros(10), 2);
  private Semaphore inFlight;
  private volatile Deliveries deliveries = new Deliveries(0, 1);

  /** @param channelsOf the channels connection {@code i} subscribes to (at least one) */
  Fleet(Vertx vertx, Options options, List<Context> loops, IntFunction<String[]> channelsOf) {
    this.options = options;
    this.loops = loops;
    this.channelsOf = channelsOf;
    for (String url : options.urls()) {
      gateways.add(URI.create(url));
    }
    List<String> binds = options.bind().isEmpty() ? java.util.Collections.singletonList(null) : options.bind();
    for (String bind : binds) {
      WebSocketClientOptions o = new WebSocketClientOptions()
          .setMaxConnections(Integer.MAX_VALUE) // the default (50 per endpoint) would queue handshakes
          .setConnectTimeout((int) (options.connectTimeoutSeconds() * 1000))
          .setMaxFrameSize(1 << 20)
          .setMaxMessageSize(1 << 22)
          .setTryUsePerMessageCompression(false);
      if (bind != null) {
        o.setLocalAddress(bind);
      }
      clients.add(vertx.createWebSocketClient(o));
    }
  }

  String[] channelsOf(int index) {
    return channelsOf.apply(index);
  }

  Deliveries deliveries() {
    return deliveries;
  }

  /** Starts a new accounting phase: messages from now on count against {@code next}. */
  void account(Deliveries next) {
    deliveries = next;
  }

  List<Conn> conns() {
    return conns;
  }

  int ready() {
    return readyCount.get();
  }

  /**
   * Opens {@code count} more connections from the calling (non event-loop) thread and returns once
   * each is ready or failed: at most {@code --concurrency} in flight, each bounded by
   * {@code --connect-timeout}.
   */
  JsonObject open(int count) throws InterruptedException {
    inFlight = new Semaphore(options.concurrency());
    int readyBefore = readyCount.get();
    long failedBefore = failed();
    long start = System.nanoTime();
    long timeoutMs = (long) (options.connectTimeoutSeconds() * 1000);
    for (int k = 0; k < count; k++) {
      inFlight.acquire();
      Conn conn = new Conn(this, conns.size());
      conns.add(conn);
      Context loop = loops.get(conn.index % loops.size());
      loop.runOnContext(v -> connect(conn, loop, timeoutMs));
    }
    // Every handshake settles within its timeout, so this wait is bounded.
    if (!inFlight.tryAcquire(options.concurrency(), timeoutMs + 10_000, TimeUnit.MILLISECONDS)) {
      failures.computeIfAbsent("unsettled", r -> new LongAdder()).add(options.concurrency() - inFlight.availablePermits());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int newlyReady = readyCount.get() - readyBefore;
    Histogram h = readyLatency.getIntervalHistogram();
    return new JsonObject()
        .put("opened", count)
        .put("ready", newlyReady)
        .put("failed", failed() - failedBefore)
        .put("seconds", round(seconds))
        .put("perSecond", round(newlyReady / Math.max(seconds, 1e-9)))
        .put("readyMsP50", Deliveries.ms(h.getValueAtPercentile(50)))
        .put("readyMsP99", Deliveries.ms(h.getValueAtPercentile(99)))
        .put("readyMsMax", Deliveries.ms(h.getMaxValue()));
  }

  /**
   * One throw-away connection per client before measuring: the first handshake of a JVM loads and
   * compiles Netty, Vert.x and JCE code for about a second, which would skew the connect rate.
   */
  void warmUp() {
    long timeoutMs = (long) (options.connectTimeoutSeconds() * 1000);
    for (WebSocketClient client : clients) {
      try {
        client.connect(connectOptions(gateways.get(0), options.userPrefix() + "warmup", timeoutMs))
            .compose(ws -> ws.close()).await(timeoutMs + 1000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        System.err.println("warm-up connection failed: " + e);
      }
    }
  }

  private WebSocketConnectOptions connectOptions(URI gateway, String user, long timeoutMs) {
    String token = DevTokens.mint(options.secret(), user, TOKEN_TTL_SECONDS, List.of());
    return new WebSocketConnectOptions()
        .setHost(gateway.getHost())
        .setPort(gateway.getPort() < 0 ? 80 : gateway.getPort())
        .setURI("/realtime/ws?token=" + token)
        .setTimeout(timeoutMs)
        .setAllowOriginHeader(false); // an app, not a browser
  }

  private void connect(Conn conn, Context loop, long timeoutMs) {
    URI gateway = gateways.get(conn.index % gateways.size());
    WebSocketClient client = clients.get(conn.index % clients.size());
    WebSocketConnectOptions o = connectOptions(gateway, options.userPrefix() + conn.index, timeoutMs);
    loop.owner().setTimer(timeoutMs, id -> conn.timeout());
    client.connect(o).onComplete(ar -> {
      if (ar.succeeded()) {
        conn.opened(ar.result());
      } else {
        conn.fail(reason(ar.cause()));
      }
    });
  }

  private static String reason(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    // Drop addresses and ports so equal causes group together.
    message = message.replaceAll("/?\\d+\\.\\d+\\.\\d+\\.\\d+(:\\d+)?", "").trim();
    return e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }

  void ready(Conn conn, long nanos) {
    readyCount.incrementAndGet();
    readyLatency.recordValue(Math.min(TimeUnit.MINUTES.toMicros(10), nanos / 1000));
    inFlight.release();
  }

  void failed(Conn conn, String reason) {
    failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
    inFlight.release();
  }

  void dropped(String reason) {
    readyCount.decrementAndGet();
    drops.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  void exception(Throwable e) {
    exceptions.computeIfAbsent(reason(e), r -> new LongAdder()).increment();
  }

  long failed() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long droppedCount() {
    return drops.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Failures, drops and socket exceptions so far, by reason. */
  JsonObject problems() {
    return new JsonObject()
        .put("failed", failed())
        .put("failures", counts(failures))
        .put("dropped", droppedCount())
        .put("drops", counts(drops))
        .put("exceptions", counts(exceptions));
  }

  private static JsonObject counts(Map<String, LongAdder> map) {
    JsonObject out = new JsonObject();
    new TreeMap<>(map).forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Closes every connection; bounded wait for the closes to go out. */
  void closeAll() {
    conns.forEach(Conn::close);
    try {
      Future.all(clients.stream().map(WebSocketClient::close).toList()).await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println("closing connections took over 10 s; going on");
    }
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
