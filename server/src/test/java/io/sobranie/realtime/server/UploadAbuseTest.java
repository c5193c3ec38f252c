package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Uploads cannot take a node down (a real server process with a 64 MB heap that exits on an
 * OutOfMemoryError): refusals come before a byte of the body is read, accepted files stream to
 * disk, and the node bounds how many it receives at once.
 */
class UploadAbuseTest {
  private static final int TEN_MIB = 10 * 1024 * 1024;
  private NodeProcess server;
  private ExecutorService pool;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET", ServerTestBase.SECRET);
    env.put("HTTP_PORT", "0");
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("MAX_UPLOADS", "2");
    env.put("MAX_CONNECTIONS", "200");
    server = NodeProcess.start(env, "-Xmx64m");
    pool = Executors.newFixedThreadPool(64);
  }

  @AfterEach
  void stop() throws Exception {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    server.close();
  }

  /** Opens a POST of {@code length} declared bytes and sends its headers only. */
  private Socket openUpload(String bearer, long length) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    socket.setSoTimeout(10_000);
    String head = "POST /realtime/binary HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
        + "Content-Length: " + length + "\r\n" + (bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n") + "\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /** Sends up to {@code bytes} of body; answers how many went before the server stopped taking them. */
  private static long sendBody(Socket socket, long bytes) {
    byte[] chunk = new byte[64 * 1024];
    long sent = 0;
    try {
      OutputStream out = socket.getOutputStream();
      while (sent < bytes) {
        int n = (int) Math.min(chunk.length, bytes - sent);
        out.write(chunk, 0, n);
        sent += n;
      }
      out.flush();
    } catch (IOException closedByServer) {
      // expected when the server refused the upload
    }
    return sent;
  }

  /** The status line and the body of the response. */
  private static String[] readResponse(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int headEnd = -1;
    int contentLength = 0;
    while (true) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      all.write(buffer, 0, n);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      if (headEnd < 0 && (headEnd = text.indexOf("\r\n\r\n")) >= 0) {
        for (String line : text.substring(0, headEnd).split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            contentLength = Integer.parseInt(line.substring(15).trim());
          }
        }
      }
      if (headEnd >= 0 && all.size() >= headEnd + 4 + contentLength) {
        break;
      }
    }
    String text = all.toString(StandardCharsets.UTF_8);
    return new String[] {text.substring(0, text.indexOf("\r\n")), text.substring(text.indexOf("\r\n\r\n") + 4), text};
  }

  private int health() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  @DisplayName("60 concurrent anonymous 10 MiB uploads are answered 401 before their bodies; the node stays healthy")
  void anonymousUploadsAreRefusedBeforeTheBody() throws Exception {
    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      answers.add(pool.submit(() -> {
        try (Socket socket = openUpload(null, TEN_MIB)) {
          String status = readResponse(socket)[0]; // before sending a byte of the body: it must come anyway
          sendBody(socket, TEN_MIB); // and then as an attacker would: the server must not take it in
          return status;
        }
      }));
    }
    for (Future<String> answer : answers) {
      assertTrue(answer.get(60, TimeUnit.SECONDS).startsWith("HTTP/1.1 401"), answer.get());
    }
    assertTrue(server.isAlive(), "the node is alive:\n" + server.output());
    assertEquals(200, health());
  }

  @Test
  @DisplayName("a declared length over MAX_BLOB_BYTES is 413 at once; a body that grows past it while streaming is 413 too")
  void oversizedUploads() throws Exception {
    try (Socket socket = openUpload(ServerTestBase.token("alice"), TEN_MIB + 1)) {
      String[] response = readResponse(socket);
      assertTrue(response[0].startsWith("HTTP/1.1 413"), response[2]);
      assertEquals("too_large", new JsonObject(response[1]).getJsonObject("error").getString("code"));
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /realtime/binary HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer "
          + ServerTestBase.token("alice") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1024 * 1024];
      try {
        for (int i = 0; i < 12; i++) {
          out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException refusedMidway) {
        // the server answered and closed past the cap
      }
      assertTrue(readResponse(socket)[0].startsWith("HTTP/1.1 413"));
    }
    assertEquals(200, health());
  }

  @Test
  @DisplayName("past MAX_UPLOADS at once an upload is 503 with Retry-After; the accepted ones stream to the end, byte exact")
  void concurrentUploadsAreBounded() throws Exception {
    String alice = ServerTestBase.token("alice");
    try (Socket first = openUpload(alice, TEN_MIB); Socket second = openUpload(alice, TEN_MIB)) {
      sendBody(first, TEN_MIB / 2);
      sendBody(second, TEN_MIB / 2); // both are now being received
      try (Socket third = openUpload(alice, 1000)) {
        String[] refused = readResponse(third);
        assertTrue(refused[0].startsWith("HTTP/1.1 503"), refused[2]);
        assertTrue(refused[2].toLowerCase().contains("retry-after:"), refused[2]);
      }
      sendBody(first, TEN_MIB - TEN_MIB / 2);
      sendBody(second, TEN_MIB - TEN_MIB / 2);
      for (Socket done : List.of(first, second)) {
        String[] created = readResponse(done);
        assertTrue(created[0].startsWith("HTTP/1.1 201"), created[2]);
        assertEquals(TEN_MIB, new JsonObject(created[1]).getLong("size"));
      }
    }
    try (Socket after = openUpload(alice, 1000)) {
      sendBody(after, 1000);
      assertTrue(readResponse(after)[0].startsWith("HTTP/1.1 201"), "slots are given back");
    }
    assertTrue(server.isAlive(), server.output());
  }
}
