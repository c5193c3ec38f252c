package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The deployment topology end to end: {@code deploy/local-topology.sh} starts Redis, two
 * gateway processes and a chat/presence/notification process as one Hazelcast cluster, and
 * nginx (Debian's package) with {@code deploy/nginx.conf}. Every client goes through nginx.
 */
class NginxTopologyTest {
  private static final File SCRIPT = new File("../deploy/local-topology.sh");
  private static Path dir;
  private static int nginxPort;
  private static Vertx clients;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startTopology() throws Exception {
    dir = Files.createTempDirectory("topology");
    nginxPort = NodeProcess.freePort();
    run("start", String.valueOf(NodeProcess.freePort()) + "," + NodeProcess.freePort());
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stopTopology() throws Exception {
    if (clients != null) {
      clients.close().await();
    }
    run("stop", "");
  }

  private static void run(String command, String gatewayPorts) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(SCRIPT.getPath(), command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(command + ".out").toFile());
    builder.environment().put("TOPOLOGY_DIR", dir.toString());
    builder.environment().put("NGINX_PORT", String.valueOf(nginxPort));
    builder.environment().put("GATEWAY_PORTS", gatewayPorts);
    builder.environment().put("JWT_SECRET", ServerTestBase.SECRET);
    builder.environment().put("REALTIME_CP", System.getProperty("java.class.path"));
    builder.environment().put("JAVA_OPTS", "-Xmx160m");
    builder.environment().put("NODE_ENV", "HEARTBEAT_MS=1000 PRESENCE_GRACE_MS=200 MESSAGES_PER_MINUTE=100000");
    Process process = builder.start();
    boolean exited = process.waitFor(120, TimeUnit.SECONDS);
    String output = Files.readString(dir.resolve(command + ".out"));
    if (!exited) {
      process.destroyForcibly();
    }
    assertTrue(exited && process.exitValue() == 0, "local-topology.sh " + command + " failed:\n" + output);
  }

  private WsClient connect(String user) {
    WsClient client = WsClient.open(clients, nginxPort, "", ServerTestBase.token(user));
    open.add(client);
    return client;
  }

  @Test
  @DisplayName("through nginx: WebSocket clients land on different gateways and chat; SSE streams unbuffered; REST works")
  void everyTransportThroughNginx() throws Exception {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    String aliceNode = alice.next("connected").getString("node");
    String bobNode = bob.next("connected").getString("node");
    assertNotEquals(aliceNode, bobNode, "least_conn spreads two connections over the two gateways");
    alice.subscribe("chat:lobby");
    bob.subscribe("chat:lobby");

    SseClient carol = SseClient.open(clients, nginxPort, "token=" + ServerTestBase.token("carol") + "&channels=chat:lobby", null);
    open.add(carol);
    assertEquals(200, carol.status());
    carol.opening();

    JsonObject ack = alice.publish("chat:lobby", "hello via nginx");
    assertEquals("hello via nginx", alice.next("message").getString("data")); // the sender gets it too
    JsonObject atBob = bob.next("message");
    assertEquals("hello via nginx", atBob.getString("data"));
    assertEquals(ack.getLong("seq"), atBob.getLong("seq"));
    JsonObject atCarol = carol.next("message").json();
    assertEquals("hello via nginx", atCarol.getString("data"));
    assertEquals(ack.getLong("seq"), atCarol.getLong("seq"));

    int status = clients.createHttpClient().request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(nginxPort).setURI("/realtime/messages").addHeader("Authorization", "Bearer " + ServerTestBase.token("dave")))
        .compose(r -> r.send(Buffer.buffer(new JsonObject().put("channel", "chat:lobby").put("data", "from REST").encode())))
        .map(r -> r.statusCode()).await();
    assertEquals(200, status);
    assertEquals("from REST", alice.next("message").getString("data"));
    assertEquals("from REST", carol.next("message").json().getString("data"));
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable client : open) {
      client.close();
    }
  }
}
