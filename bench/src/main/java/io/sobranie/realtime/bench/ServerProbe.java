package io.sobranie.realtime.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a server process from outside: CPU time and RSS from {@code /proc/PID}, live heap after a
 * full GC from {@code jcmd}. Blocking: call it from the main thread, never from an event loop.
 */
final class ServerProbe {
  /** Per generation, JDK 17 ("total 397312K, used 17946K") and JDK 25's G1 ("total reserved …K, committed …K, used …K"). */
  private static final Pattern USED = Pattern.compile("total (?:reserved \\d+K, committed )?\\d+K, used (\\d+)K");
  private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

  private final long pid;
  private final long ticksPerSecond;

  ServerProbe(long pid) {
    this.pid = pid;
    this.ticksPerSecond = clockTicks();
  }

  /** utime + stime of the process, in seconds. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) ticksPerSecond;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/stat: " + e.getMessage(), e);
    }
  }

  long rssKb() {
    try {
      Matcher m = RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/status: " + e.getMessage(), e);
    }
  }

  /** Runs a full GC in the server, then answers the used heap in KB (summed over generations); -1 if jcmd failed. */
  long heapAfterGcKb() {
    if (jcmd("GC.run") == null) {
      return -1;
    }
    String info = jcmd("GC.heap_info");
    if (info == null) {
      return -1;
    }
    long used = 0;
    Matcher m = USED.matcher(info);
    while (m.find()) {
      used += Long.parseLong(m.group(1));
    }
    return used;
  }

  /** Heap (after GC) and RSS, for before/after comparisons. */
  JsonObject memory() {
    return new JsonObject().put("heapAfterGcKb", heapAfterGcKb()).put("rssKb", rssKb());
  }

  private String jcmd(String command) {
    try {
      Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        System.err.println("jcmd " + pid + " " + command + " failed: " + out.strip());
        return null;
      }
      return out;
    } catch (IOException e) {
      System.err.println("jcmd " + pid + " " + command + " failed: " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | RuntimeException | InterruptedException e) {
      return 100; // the Linux default
    }
  }
}
