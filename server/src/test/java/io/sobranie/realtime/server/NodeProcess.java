package io.sobranie.realtime.server;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server node as a separate JVM process (the fat jar's Main on the test classpath), killable with SIGKILL. */
final class NodeProcess implements AutoCloseable {
  private static final String JAVA = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  private static final Pattern LISTENING = Pattern.compile("listening on port (-?\\d+)");

  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final StringBuffer output = new StringBuffer();

  private NodeProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(this::read, "node-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a node with exactly {@code env} (plus PATH/HOME) and waits until it listens. */
  static NodeProcess start(Map<String, String> env) throws Exception {
    return start(env, "-Xmx192m");
  }

  /** Starts a node with a heap of {@code maxHeap} (e.g. {@code -Xmx64m}); it exits on an OutOfMemoryError. */
  static NodeProcess start(Map<String, String> env, String maxHeap) throws Exception {
    List<String> command = new ArrayList<>(List.of(JAVA, maxHeap, "-XX:+ExitOnOutOfMemoryError", "--add-modules", "java.se",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> !key.equals("PATH") && !key.equals("HOME"));
    builder.environment().putAll(env);
    NodeProcess node = new NodeProcess(builder.start());
    try {
      node.port.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      node.close();
      throw new AssertionError("the node did not start:\n" + node.output, e);
    }
    return node;
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        output.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (Exception ended) {
      // the process is gone
    }
  }

  int port() {
    return port.join();
  }

  /** A TCP port free on 127.0.0.1 right now (for a node that must come back on the same port). */
  static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  String output() {
    return output.toString();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster or the store. */
  void kill() throws Exception {
    new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).start().waitFor();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM: the graceful path. Answers whether the process exited within {@code seconds}. Sent
   * with kill, not {@link Process#destroy}, which also closes our end of its output (its last
   * words would be lost).
   */
  boolean terminate(long seconds) throws Exception {
    new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor();
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
