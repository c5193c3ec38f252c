package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.gateway.http.Admission;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The connection log line names the client: X-Forwarded-For is believed only from a peer in
 * {@code TRUSTED_PROXIES} (here 127.0.0.2; clients dial from 127.0.0.2 or 127.0.0.1).
 */
class ClientAddressAuditTest extends ServerTestBase {
  private static final Logger GATEWAY_LOG = Logger.getLogger(Admission.class.getName());
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      lines.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private Level previousLevel;
  private boolean previousUseParent;

  @Override
  protected Map<String, String> settings() {
    return Map.of("TRUSTED_PROXIES", "127.0.0.2");
  }

  @BeforeEach
  void captureLog() {
    previousLevel = GATEWAY_LOG.getLevel();
    previousUseParent = GATEWAY_LOG.getUseParentHandlers();
    GATEWAY_LOG.setLevel(Level.INFO); // test runs log warnings only
    GATEWAY_LOG.setUseParentHandlers(false); // captured, not printed
    GATEWAY_LOG.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    GATEWAY_LOG.removeHandler(capture);
    GATEWAY_LOG.setLevel(previousLevel);
    GATEWAY_LOG.setUseParentHandlers(previousUseParent);
  }

  /** Sends a raw request from {@code localIp} and answers the status line. */
  private String request(String localIp, String requestLine, String headers) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(localIp, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port()), 5000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((requestLine + "\r\nHost: 127.0.0.1:" + port() + "\r\n" + headers + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return statusLine(socket.getInputStream());
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII).trim();
  }

  private String poll(String localIp, String user, String forwardedFor) throws IOException {
    return request(localIp, "GET /realtime/poll?timeoutMs=0&token=" + token(user) + " HTTP/1.1",
        "X-Forwarded-For: " + forwardedFor + "\r\nConnection: close\r\n");
  }

  private String upgrade(String localIp, String user, String forwardedFor) throws IOException {
    return request(localIp, "GET /realtime/ws?token=" + token(user) + " HTTP/1.1",
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Forwarded-For: " + forwardedFor + "\r\n");
  }

  /** Waits (bounded) for the accepted-connection line of {@code user}: it is written after the answer. */
  private String auditLine(String user) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      for (String line : lines) {
        if (line.startsWith("connect ") && line.contains(" user=" + user + " ")) {
          return line;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no connection log line for " + user + " in " + lines);
  }

  @Test
  @DisplayName("a poll through a trusted proxy is logged with the right-most untrusted X-Forwarded-For address")
  void trustedProxyPollLogsTheForwardedAddress() throws Exception {
    assertTrue(poll("127.0.0.2", "alice", "6.6.6.6, 203.0.113.7").startsWith("HTTP/1.1 200"));
    String line = auditLine("alice");
    assertTrue(line.contains(" ip=203.0.113.7 via=127.0.0.2 "), line);
  }

  @Test
  @DisplayName("a WebSocket through a trusted proxy is logged with the forwarded address")
  void trustedProxyWebSocketLogsTheForwardedAddress() throws Exception {
    assertTrue(upgrade("127.0.0.2", "bob", "203.0.113.8").startsWith("HTTP/1.1 101"));
    String line = auditLine("bob");
    assertTrue(line.contains(" ip=203.0.113.8 via=127.0.0.2 "), line);
  }

  @Test
  @DisplayName("from a peer that is not a trusted proxy, X-Forwarded-For is ignored and the socket address is logged")
  void untrustedPeerLogsTheSocketAddress() throws Exception {
    assertTrue(poll("127.0.0.1", "carol", "203.0.113.9").startsWith("HTTP/1.1 200"));
    assertTrue(upgrade("127.0.0.1", "dave", "203.0.113.9").startsWith("HTTP/1.1 101"));
    for (String user : List.of("carol", "dave")) {
      String line = auditLine(user);
      assertTrue(line.contains(" ip=127.0.0.1 outcome="), line);
      assertTrue(!line.contains("203.0.113.9"), line);
    }
  }
}
