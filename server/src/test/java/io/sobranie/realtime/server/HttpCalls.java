package io.sobranie.realtime.server;

import io.sobranie.realtime.server.ServerTestBase.Response;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP requests to any node, each bounded, on the JDK's HTTP client. Not Vert.x's: in this suite's
 * loops of keep-alive requests (a presence query every 20 ms), the Vert.x 5.0.10 client left about
 * one request in a few hundred without an answer for good, where the JDK client, asking the same
 * server the same way, got every answer (see TOOLCHAIN.md on stranded requests).
 */
final class HttpCalls {
  /** Beyond any hold, a request here is answered in milliseconds. */
  private static final long ANSWER_MS = 10_000;
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private HttpCalls() {
  }

  static Response request(int port, HttpMethod method, String uri, String bearer, String body) {
    return request(port, method, uri, bearer, body, 0);
  }

  /** A request the server may hold for {@code heldMs} (a long-poll) before its answer is due. */
  static Response request(int port, HttpMethod method, String uri, String bearer, String body, long heldMs) {
    HttpRequest request = builder(port, uri, bearer, ANSWER_MS + heldMs)
        .method(method.name(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(), ANSWER_MS + heldMs);
    Map<String, String> headers = new HashMap<>();
    response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
    return new Response(response.statusCode(), headers, response.body());
  }

  /** A GET whose body is bytes (a download), answered within 10 s. */
  static HttpResponse<byte[]> download(int port, String uri, String bearer) {
    return send(builder(port, uri, bearer, ANSWER_MS).GET().build(), HttpResponse.BodyHandlers.ofByteArray(), ANSWER_MS);
  }

  private static HttpRequest.Builder builder(int port, String uri, String bearer, long answerMs) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
        .timeout(Duration.ofMillis(answerMs));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return request;
  }

  private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, long answerMs) {
    String what = request.method() + " " + request.uri();
    try {
      return CLIENT.send(request, body);
    } catch (HttpTimeoutException e) {
      throw new AssertionError("no answer within " + answerMs + " ms to " + what, e);
    } catch (IOException e) {
      throw new AssertionError(what + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
