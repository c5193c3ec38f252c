package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One keep-alive connection carries request after request, whatever bodies came before. Spoken
 * on a plain socket, so that one connection is what is tested (no client pool in between).
 */
class KeepAliveTest extends ServerTestBase {

  @Test
  @DisplayName("a POST whose body the endpoint does not need does not stall the next request on the connection")
  void unneededBodyDoesNotStallTheConnection() throws IOException {
    String body = "{\"ignored\":\"" + "x".repeat(2000) + "\"}";
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (String path : new String[] {"/realtime/ticket", "/realtime/ticket", "/health"}) {
        String method = path.equals("/health") ? "GET" : "POST";
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token("alice")
            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
        out.write((head + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals(200, readResponse(in), path);
      }
    }
  }

  /** Reads one response with a Content-Length body off the connection; answers its status. */
  private static int readResponse(InputStream in) throws IOException {
    String statusLine = readLine(in);
    int contentLength = 0;
    for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        contentLength = Integer.parseInt(lower.substring("content-length:".length()).trim());
      }
    }
    in.readNBytes(contentLength);
    return Integer.parseInt(statusLine.split(" ")[1]);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the server closed the connection mid-response: " + line);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
