package io.sobranie.realtime.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What every scenario shares: the options, a Vert.x with {@code --threads} event loops (one
 * context pinned to each), the tool probe and, given {@code --server-pid}, the server probe.
 * Scenarios run their orchestration on the calling thread (blocking waits are fine there) and
 * everything per connection on the event loops.
 */
final class Bench implements AutoCloseable {
  final Options options;
  final Vertx vertx;
  final List<Context> loops;
  final ToolProbe tool;
  /** Null without {@code --server-pid}. */
  final ServerProbe server;

  Bench(Options options) {
    this.options = options;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.threads()));
    this.loops = pinLoops(vertx, options.threads());
    this.tool = new ToolProbe(loops);
    this.server = options.serverPid() > 0 ? new ServerProbe(options.serverPid()) : null;
  }

  /** One context per event loop: verticle instances are spread round-robin over the loops. */
  private static List<Context> pinLoops(Vertx vertx, int count) {
    List<Context> contexts = new CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(count)).await();
    return new ArrayList<>(contexts);
  }

  double serverCpuSeconds() {
    return server == null ? Double.NaN : server.cpuSeconds();
  }

  /** Deliveries per server core-second, when the server's CPU is known. */
  static JsonObject serverCpu(double cpuBefore, double cpuAfter, double wallSeconds, long deliveries) {
    if (Double.isNaN(cpuBefore)) {
      return new JsonObject();
    }
    double cpu = cpuAfter - cpuBefore;
    return new JsonObject()
        .put("serverCpuSeconds", Fleet.round(cpu))
        .put("serverCpuCores", Fleet.round(cpu / Math.max(wallSeconds, 1e-9)))
        .put("deliveriesPerServerCoreSecond", Math.round(deliveries / Math.max(cpu, 1e-9)));
  }

  /** Sleeps in slices, bounded by {@code seconds}. */
  static void hold(double seconds) throws InterruptedException {
    long until = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < until) {
      Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
    }
  }

  /**
   * Waits until {@code deliveries} received {@code expected} objects, or nothing new came for
   * {@code --drain} seconds (bounded overall by twice that plus the send time already spent).
   */
  void drain(Deliveries deliveries, long expected) throws InterruptedException {
    long quietLimit = (long) (options.drainSeconds() * 1e9);
    long last = deliveries.received();
    long lastChange = System.nanoTime();
    long hardStop = System.nanoTime() + 2 * quietLimit;
    while (deliveries.received() < expected && System.nanoTime() - lastChange < quietLimit
        && System.nanoTime() < hardStop) {
      Thread.sleep(20);
      long now = deliveries.received();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      }
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("closing the tool's Vert.x: " + e);
    }
  }
}
