package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.DevTokens;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code MAX_URL_BYTES} (default 8192) caps the request line, {@code MAX_HEADER_BYTES} (default
 * 16384) the headers, checked with raw requests. The sizes that pass are above Vert.x's own
 * defaults (4096 / 8192), so they also show the configured caps are the ones in force.
 */
class RequestSizeLimitsTest extends ServerTestBase {

  /** Sends a raw request and answers the status code of the response. */
  private int status(String requestLine, String extraHeaders) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((requestLine + "\r\nHost: 127.0.0.1:" + port() + "\r\n" + extraHeaders
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String head = readHead(socket.getInputStream());
      // Vert.x answers 414 as HTTP/1.0: the request line it could not read gave it no version.
      assertTrue(head.startsWith("HTTP/1."), "not an HTTP response: " + head);
      return Integer.parseInt(head.substring(9, 12));
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        break;
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** A request line of exactly {@code bytes} bytes for {@code GET /health}. */
  private static String healthLine(int bytes) {
    String start = "GET /health?pad=";
    String end = " HTTP/1.1";
    return start + "x".repeat(bytes - start.length() - end.length()) + end;
  }

  /** Headers of about {@code bytes} bytes in 1000-byte lines. */
  private static String headers(int bytes) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < bytes; i++) {
      text.append("X-Pad-").append(i).append(": ").append("y".repeat(990)).append("\r\n");
    }
    return text.toString();
  }

  @Test
  @DisplayName("a request line of 8000 bytes is served")
  void requestLineUnderTheCapIsServed() throws IOException {
    assertEquals(200, status(healthLine(8000), ""));
  }

  @Test
  @DisplayName("a request line over MAX_URL_BYTES is answered 414")
  void requestLineOverTheCapIs414() throws IOException {
    assertEquals(414, status(healthLine(9000), ""));
  }

  @Test
  @DisplayName("12 KB of headers are served")
  void headersUnderTheCapAreServed() throws IOException {
    assertEquals(200, status("GET /health HTTP/1.1", headers(12_000)));
  }

  @Test
  @DisplayName("headers over MAX_HEADER_BYTES are answered 431")
  void headersOverTheCapAre431() throws IOException {
    assertEquals(431, status("GET /health HTTP/1.1", headers(17_000)));
  }

  @Test
  @DisplayName("a WebSocket with a 6 KB token in ?token= connects")
  void longQueryTokenConnects() {
    long now = System.currentTimeMillis() / 1000;
    String token = DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("exp", now + 3600)
        .put("pad", "p".repeat(4400)));
    assertTrue(token.length() > 6000 && token.length() < 8192, "token length " + token.length());
    assertEquals("alice", open("token=" + token, null).next("connected").getString("userId"));
  }
}
