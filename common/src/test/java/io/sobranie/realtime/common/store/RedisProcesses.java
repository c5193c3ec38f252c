package io.sobranie.realtime.common.store;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Redis servers a test class starts as child processes on free 127.0.0.1 ports, in a temporary
 * directory of their own: a Redis Cluster of primaries ({@link #cluster}), or a primary with a
 * replica watched by a Sentinel ({@link #sentinel}). A JUnit extension: register it on a static
 * field with {@code @RegisterExtension}; after the class — also when its set-up or a test failed,
 * and from a shutdown hook if the JVM exits first — every process it started is killed and the
 * directory deleted. Without the {@code redis-server} / {@code redis-cli} binaries (CI installs
 * Debian's redis-server) the class fails with a message saying so; it never skips.
 *
 * <p>Every wait is bounded; a server that does not come up fails with the end of its log.
 */
public final class RedisProcesses implements BeforeAllCallback, AfterAllCallback {
  private static final Duration START = Duration.ofSeconds(10);
  private static final Duration CLI = Duration.ofSeconds(15);

  /** One running {@code redis-server} (or Sentinel). */
  public record Server(String name, int port, Process process, Path log) {
    public String url() {
      return "redis://127.0.0.1:" + port;
    }
  }

  private final List<Server> servers = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll, "redis-processes-cleanup");
  private Path dir;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    for (String binary : List.of("redis-server", "redis-cli")) {
      if (!onPath(binary)) {
        throw new IllegalStateException(binary + " is needed by " + context.getDisplayName()
            + " (Debian/Ubuntu: apt-get install redis-server, which brings redis-cli); not found on PATH="
            + System.getenv("PATH"));
      }
    }
    dir = Files.createTempDirectory("sobranie-redis-");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    return path != null && Arrays.stream(path.split(File.pathSeparator))
        .anyMatch(entry -> !entry.isEmpty() && Files.isExecutable(Path.of(entry, binary)));
  }

  // ---------------------------------------------------------------- topologies

  /**
   * Starts {@code primaries} cluster nodes, joins them with {@code redis-cli --cluster create} (no
   * replicas) and waits until every node reports {@code cluster_state:ok}.
   */
  public List<Server> cluster(int primaries) {
    List<Server> nodes = new ArrayList<>();
    List<String> create = new ArrayList<>(List.of("--cluster", "create"));
    for (int i = 0; i < primaries; i++) {
      int port = freePort();
      Server node = start("cluster-" + i, port, List.of("--cluster-enabled", "yes",
          "--cluster-port", Integer.toString(freePort()),
          "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
          "--cluster-node-timeout", "2000"));
      nodes.add(node);
      create.add("127.0.0.1:" + port);
    }
    create.add("--cluster-yes");
    cli(-1, create.toArray(String[]::new));
    waitUntil("every node of the cluster says cluster_state:ok", Duration.ofSeconds(20), () -> nodes.stream()
        .allMatch(node -> cli(node.port(), "CLUSTER", "INFO").contains("cluster_state:ok")));
    return nodes;
  }

  /** A primary, its replica and a Sentinel watching them, once the Sentinel knows the replica. */
  public record SentinelSet(String masterName, Server primary, Server replica, Server sentinel) {
  }

  /**
   * Starts a primary, a replica of it and one Sentinel monitoring them as {@code masterName}
   * (quorum 1, down after {@code downAfterMs}, failover timeout 5 s), and waits until the replica is
   * in sync and the Sentinel lists it.
   */
  public SentinelSet sentinel(String masterName, long downAfterMs) {
    Server primary = start("primary", freePort(), List.of());
    Server replica = start("replica", freePort(), List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
    waitUntil("the replica is in sync", START, () -> cli(replica.port(), "INFO", "replication").contains("master_link_status:up"));
    int port = freePort();
    Path conf = dir.resolve("sentinel-" + port + ".conf");
    write(conf, String.join("\n",
        "port " + port,
        "bind 127.0.0.1",
        "dir " + dir,
        "sentinel monitor " + masterName + " 127.0.0.1 " + primary.port() + " 1",
        "sentinel down-after-milliseconds " + masterName + " " + downAfterMs,
        "sentinel failover-timeout " + masterName + " 5000",
        "sentinel parallel-syncs " + masterName + " 1",
        ""));
    Server sentinel = launch("sentinel", port, List.of(conf.toString(), "--sentinel", "--logfile",
        dir.resolve("sentinel-" + port + ".log").toString()), dir.resolve("sentinel-" + port + ".log"));
    waitUntil("the Sentinel knows the replica", START, () -> {
      String replicas = cli(sentinel.port(), "SENTINEL", "REPLICAS", masterName);
      return replicas.contains(Integer.toString(replica.port())) && !replicas.contains("disconnected")
          && !replicas.contains("s_down");
    });
    return new SentinelSet(masterName, primary, replica, sentinel);
  }

  // ---------------------------------------------------------------- processes

  /** Starts {@code redis-server} on {@code port} (loopback, no persistence) with {@code args}; returns once it answers PING. */
  public Server start(String name, int port, List<String> args) {
    Path log = dir.resolve(name + "-" + port + ".log");
    List<String> all = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--logfile", log.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no"));
    all.addAll(args);
    return launch(name, port, all, log);
  }

  private Server launch(String name, int port, List<String> args, Path log) {
    List<String> command = new ArrayList<>();
    command.add("redis-server");
    command.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + "-" + port + ".out").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    Server server = new Server(name, port, process, log);
    synchronized (servers) {
      servers.add(server);
    }
    try {
      waitUntil(name + " on port " + port + " answers PING", START, () -> { // a dead server fails at once
        if (!process.isAlive()) {
          throw new AssertionError(name + " on port " + port + " exited with " + process.exitValue());
        }
        return cli(port, "PING").contains("PONG");
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + tail(log), e);
    }
    return server;
  }

  /** SIGKILL: the server gets no chance to finish anything, as when its machine dies. */
  public void kill(Server server) {
    server.process().destroyForcibly();
    try {
      if (!server.process().waitFor(START.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(server.name() + " survived SIGKILL for " + START);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void stopAll() {
    List<Server> started;
    synchronized (servers) {
      started = List.copyOf(servers);
      servers.clear();
    }
    started.forEach(server -> server.process().destroyForcibly());
    for (Server server : started) {
      try {
        server.process().waitFor(START.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (dir != null) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        System.err.println("could not delete " + dir + ": " + e);
      }
      dir = null;
    }
  }

  /**
   * Runs {@code redis-cli -h 127.0.0.1 [-p port] args…} (no port: {@code port} < 0) and answers its
   * output; fails if it does not end within 15 s or exits non-zero.
   */
  public String cli(int port, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1"));
    if (port >= 0) {
      command.addAll(List.of("-p", Integer.toString(port)));
    }
    command.addAll(Arrays.asList(args));
    try {
      Path output = Files.createTempFile(dir, "redis-cli-", ".out");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(CLI.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not end within " + CLI);
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      Files.delete(output);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(command + " exited with " + process.exitValue() + ": " + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Polls {@code condition} every 50 ms until it holds; fails naming {@code what} after {@code timeout}. */
  public static void waitUntil(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
        last = null;
      } catch (RuntimeException e) { // e.g. redis-cli cannot connect yet
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out after " + timeout + " waiting until " + what + (last == null ? "" : ": " + last));
  }

  /** A port that was free on 127.0.0.1 a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no log at " + log + ")");
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
