package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Slow clients (slowloris) cannot hold a node's connections: headers must come whole in
 * {@code HEADER_TIMEOUT_MS}, a body may not stall past {@code BODY_IDLE_TIMEOUT_MS}, and at most
 * {@code MAX_PENDING_CONNECTIONS} connections wait that are neither WebSockets nor sessions.
 */
class SlowClientTest extends ServerTestBase {
  private static final int PENDING = 10;

  @Override
  protected Map<String, String> settings() {
    return Map.of("HEADER_TIMEOUT_MS", "700", "BODY_IDLE_TIMEOUT_MS", "700", "MAX_PENDING_CONNECTIONS", String.valueOf(PENDING));
  }

  private Socket open() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port()), 5000);
    socket.setSoTimeout(5000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** True when the server closes the socket (end of stream or reset) within 5 s, having sent nothing. */
  private static boolean closedByServer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  @DisplayName("a connection dribbling its headers is closed after HEADER_TIMEOUT_MS")
  void partialHeadersAreCutOff() throws Exception {
    try (Socket socket = open()) {
      send(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      long started = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        Thread.sleep(200);
        send(socket, "X-Slow-" + i + ": 1\r\n"); // every byte on time, the whole never
      }
      assertTrue(closedByServer(socket), "closed");
      assertTrue((System.nanoTime() - started) / 1_000_000 < 4000, "closed by the header deadline, not an idle timeout");
    }
  }

  @Test
  @DisplayName("a body that stops arriving is cut off after BODY_IDLE_TIMEOUT_MS")
  void stalledBodyIsCutOff() throws Exception {
    try (Socket socket = open()) {
      send(socket, "POST /realtime/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token("alice")
          + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"channel\":");
      assertTrue(closedByServer(socket), "closed");
    }
  }

  @Test
  @DisplayName("past MAX_PENDING_CONNECTIONS a new idle connection is closed at once; WebSockets and SSE streams do not count and outlive the deadlines")
  void pendingConnectionsAreCapped() throws Exception {
    WsClient ws = connect(token("alice"));
    SseClient sse = sse("token=" + token("bob"), null);
    sse.opening();
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < PENDING; i++) {
        idle.add(open());
      }
      Thread.sleep(200); // the server has taken them
      try (Socket extra = open()) {
        extra.setSoTimeout(1000);
        assertTrue(closedByServer(extra), "one over the cap is closed");
      }
    } finally {
      for (Socket socket : idle) {
        socket.close();
      }
    }
    Thread.sleep(1500); // past both deadlines
    assertEquals("pong", ws.request(frame("ping"), "pong").getString("type"), "the WebSocket is alive");
    ws.publish("chat:x", "still here");
    assertEquals(200, request(HttpMethod.GET, "/health", null, null).status(), "room again once those are gone");
    assertTrue(!sse.hasEnded(), "the SSE stream is alive");
  }
}
