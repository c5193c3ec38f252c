package io.sobranie.realtime.bench;

import com.sun.management.OperatingSystemMXBean;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The tool's own load, reported beside every figure so a reader can tell when the tool was the
 * bottleneck: process CPU (cores busy on average) and event-loop lag (how late a 10 ms periodic
 * timer on each tool event loop fires).
 */
final class ToolProbe {
  private static final long TICK_MS = 10;

  private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final Recorder lag = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);
  private long cpuStart;
  private long wallStart;

  ToolProbe(List<Context> loops) {
    for (Context loop : loops) {
      loop.runOnContext(v -> tick(loop, System.nanoTime()));
    }
    mark();
  }

  private void tick(Context loop, long scheduledAt) {
    loop.owner().setTimer(TICK_MS, id -> {
      long now = System.nanoTime();
      long lateUs = (now - scheduledAt) / 1000 - TICK_MS * 1000;
      lag.recordValue(Math.max(0, Math.min(TimeUnit.MINUTES.toMicros(1), lateUs)));
      tick(loop, now);
    });
  }

  /** Starts a new measuring interval (CPU and lag). */
  void mark() {
    cpuStart = os.getProcessCpuTime();
    wallStart = System.nanoTime();
    lag.reset();
  }

  /** CPU and lag since {@link #mark()}. */
  JsonObject sinceMark() {
    double wall = (System.nanoTime() - wallStart) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
    Histogram h = lag.getIntervalHistogram();
    return new JsonObject()
        .put("cpuCores", Fleet.round(cpu / Math.max(wall, 1e-9)))
        .put("cpuSeconds", Fleet.round(cpu))
        .put("loopLagP99Ms", Deliveries.ms(h.getValueAtPercentile(99)))
        .put("loopLagMaxMs", Deliveries.ms(h.getMaxValue()));
  }
}
