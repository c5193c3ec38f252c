package io.sobranie.realtime.server;

import io.sobranie.realtime.server.ServerTestBase.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 spoken on one plain socket: for what a client library would not send (a request
 * target that is not a valid URI) or would hide (which connection carries a request).
 * Responses must have a Content-Length body; every read waits at most 10 s.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  /** Sends one request (target as given, byte for byte) and reads its response off the connection. */
  Response exchange(String method, String target, String bearer, String body) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    if (bearer != null) {
      headers.put("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      headers.put("Content-Type", "application/json");
    }
    return exchange(method, target, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  /** The same with any headers (Host is added) and a body of any bytes (with its Content-Length; none when null). */
  Response exchange(String method, String target, Map<String, String> headers, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return readResponse();
  }

  /** One request on a connection of its own, closed after the response. */
  static Response once(int port, String method, String target, Map<String, String> headers, byte[] body) {
    try (RawHttp connection = new RawHttp(port)) {
      return connection.exchange(method, target, headers, body);
    } catch (IOException e) {
      throw new AssertionError(method + " " + target + " failed", e);
    }
  }

  private Response readResponse() throws IOException {
    String statusLine = readLine();
    Map<String, String> headers = new HashMap<>();
    for (String header = readLine(); !header.isEmpty(); header = readLine()) {
      int colon = header.indexOf(':');
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
  }

  private String readLine() throws IOException {
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

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
