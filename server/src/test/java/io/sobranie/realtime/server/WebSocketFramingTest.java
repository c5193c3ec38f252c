package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 as the gateway speaks it on its own Netty pipeline (transport.ws): the opening
 * handshake, control frames, the close handshake and broken input, byte by byte.
 */
class WebSocketFramingTest extends ServerTestBase {
  private static final int MAX_FRAME = 4096;

  @Override
  protected Map<String, String> settings() {
    return Map.of("MAX_FRAME_BYTES", String.valueOf(MAX_FRAME));
  }

  private RawWebSocket open() throws IOException {
    RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"));
    assertEquals("connected", new JsonObject(raw.readUntil(RawWebSocket.TEXT).text()).getString("type"));
    return raw;
  }

  @Test
  @DisplayName("the 101 carries the accept value of RFC 6455's example key and no Content-Length")
  void handshake() throws IOException {
    try (RawWebSocket raw = open()) {
      String head = raw.head().toLowerCase();
      assertTrue(head.contains("\r\nsec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n"), head);
      assertTrue(head.contains("\r\nupgrade: websocket\r\n"), head);
      assertFalse(head.contains("content-length"), head);
    }
  }

  @Test
  @DisplayName("an upgrade without a valid key, or of another version, is refused with 400 (the version named)")
  void refusedHandshakes() throws IOException {
    String token = token("alice");
    String noKey = handshake("GET /realtime/ws?token=" + token + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    assertTrue(noKey.startsWith("HTTP/1.1 400"), noKey);
    assertTrue(noKey.contains("Sec-WebSocket-Key"), noKey);

    String oldVersion = handshake("GET /realtime/ws?token=" + token + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + RawWebSocket.SAMPLE_KEY + "\r\nSec-WebSocket-Version: 8\r\n\r\n");
    assertTrue(oldVersion.startsWith("HTTP/1.1 400"), oldVersion);
    assertTrue(oldVersion.toLowerCase().contains("\r\nsec-websocket-version: 13\r\n"), oldVersion);

    String noConnectionUpgrade = handshake("GET /realtime/ws?token=" + token + " HTTP/1.1\r\nHost: x\r\n"
        + "Upgrade: websocket\r\nSec-WebSocket-Key: " + RawWebSocket.SAMPLE_KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    assertTrue(noConnectionUpgrade.startsWith("HTTP/1.1 400"), noConnectionUpgrade);
  }

  @Test
  @DisplayName("a ping's payload comes back in a pong")
  void pingIsAnswered() throws IOException {
    try (RawWebSocket raw = open()) {
      byte[] payload = "are you there?".getBytes(StandardCharsets.US_ASCII);
      raw.sendFrame(RawWebSocket.PING, true, payload);
      assertArrayEquals(payload, raw.readUntil(RawWebSocket.PONG).payload());
    }
  }

  @Test
  @DisplayName("a client's close is answered with its code, then the server ends the connection")
  void closeHandshake() throws IOException {
    try (RawWebSocket raw = open()) {
      raw.sendFrame(RawWebSocket.CLOSE, true, new byte[] {0x03, (byte) 0xE8}); // 1000
      assertEquals(1000, raw.readUntil(RawWebSocket.CLOSE).closeCode());
      assertTrue(raw.endOfStream(), "the server closes the TCP connection after the close handshake");
    }
  }

  @Test
  @DisplayName("a text message that is not UTF-8 closes with 1007")
  void invalidUtf8() throws IOException {
    try (RawWebSocket raw = open()) {
      raw.sendFrame(RawWebSocket.TEXT, true, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
      assertEquals(1007, raw.readUntil(RawWebSocket.CLOSE).closeCode());
      raw.sendFrame(RawWebSocket.CLOSE, true, new byte[] {0x03, (byte) 0xEF}); // the client's answer
      assertTrue(raw.endOfStream(), "the server ends the connection once the client answered");
    }
  }

  @Test
  @DisplayName("a character split across fragments is fine: UTF-8 is checked on the whole message")
  void characterSplitAcrossFragments() throws IOException {
    try (RawWebSocket raw = open()) {
      byte[] text = "{\"type\":\"ping\",\"ref\":\"é\"}".getBytes(StandardCharsets.UTF_8);
      int split = new String(text, StandardCharsets.UTF_8).indexOf('é') + 1; // inside the 2-byte é
      raw.sendFrame(RawWebSocket.TEXT, false, java.util.Arrays.copyOfRange(text, 0, split));
      raw.sendFrame(RawWebSocket.CONTINUATION, true, java.util.Arrays.copyOfRange(text, split, text.length));
      JsonObject frame;
      do {
        frame = new JsonObject(raw.readUntil(RawWebSocket.TEXT).text()); // unread_count comes first
      } while (!"pong".equals(frame.getString("type")));
      assertEquals("é", frame.getString("ref"));
    }
  }

  @Test
  @DisplayName("an unmasked client frame is a protocol error: 1002")
  void unmaskedFrame() throws IOException {
    try (RawWebSocket raw = open()) {
      raw.sendRaw(RawWebSocket.frame(RawWebSocket.TEXT, true, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8), false));
      assertEquals(1002, raw.readUntil(RawWebSocket.CLOSE).closeCode());
      assertTrue(raw.endOfStream());
    }
  }

  @Test
  @DisplayName("a single frame over twice MAX_FRAME_BYTES is not read: the server says 1009 and ends the connection")
  void hugeFrame() throws IOException {
    try (RawWebSocket raw = open()) {
      raw.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(3 * MAX_FRAME) + "\"}");
      assertEquals(1009, raw.readUntil(RawWebSocket.CLOSE).closeCode());
    }
  }

  @Test
  @DisplayName("frames sent right after the 101, before connected, are answered in order after connected")
  void framesBeforeConnected() throws IOException {
    try (RawWebSocket raw = new RawWebSocket(port(), "/realtime/ws?token=" + token("alice"))) {
      for (int i = 1; i <= 3; i++) {
        raw.sendText("{\"type\":\"ping\",\"ref\":\"early-" + i + "\"}");
      }
      assertEquals("connected", new JsonObject(raw.readUntil(RawWebSocket.TEXT).text()).getString("type"));
      int next = 1;
      while (next <= 3) {
        JsonObject frame = new JsonObject(raw.readUntil(RawWebSocket.TEXT).text());
        if ("pong".equals(frame.getString("type"))) {
          assertEquals("early-" + next, frame.getString("ref"));
          next++;
        }
      }
    }
  }

  /** Sends a raw HTTP request and answers the response's status line, headers and body. */
  private String handshake(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      byte[] chunk = new byte[4096];
      String text = "";
      while (!complete(text)) {
        int n = in.read(chunk);
        if (n < 0) {
          break;
        }
        response.write(chunk, 0, n);
        text = response.toString(StandardCharsets.UTF_8);
      }
      return text;
    }
  }

  /** Headers and a body of the announced length have arrived. */
  private static boolean complete(String response) {
    int end = response.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = response.substring(0, end).toLowerCase();
    int at = head.indexOf("content-length: ");
    if (at < 0) {
      return true;
    }
    int length = Integer.parseInt(head.substring(at + 16).split("\r\n")[0].trim());
    return response.getBytes(StandardCharsets.UTF_8).length >= end + 4 + length;
  }
}
