package io.sobranie.realtime.server;

import io.sobranie.realtime.server.ServerTestBase.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP requests to any node, each bounded: a request left unanswered is tried once more on a
 * fresh client (as {@link ServerTestBase#request} does, see TOOLCHAIN.md), then fails the test.
 */
final class HttpCalls implements AutoCloseable {
  /** Beyond any hold, a request here is answered in milliseconds: a stranded one is retried soon. */
  private static final long ANSWER_MS = 5_000;

  private final Vertx vertx;
  private HttpClient http;

  HttpCalls(Vertx vertx) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient();
  }

  Response request(int port, HttpMethod method, String uri, String bearer, String body) {
    return request(port, method, uri, bearer, body, 0);
  }

  /** A request the server may hold for {@code heldMs} (a long-poll) before its answer is due. */
  Response request(int port, HttpMethod method, String uri, String bearer, String body, long heldMs) {
    try {
      return send(port, method, uri, bearer, body, heldMs);
    } catch (TimeoutException first) {
      System.err.println("HttpCalls: no answer within " + (ANSWER_MS + heldMs) + " ms to " + method + " " + uri + ", trying again");
      http.close();
      http = vertx.createHttpClient();
      try {
        return send(port, method, uri, bearer, body, heldMs);
      } catch (TimeoutException again) {
        throw new AssertionError("no answer, twice, to " + method + " " + uri, again);
      }
    }
  }

  private Response send(int port, HttpMethod method, String uri, String bearer, String body, long heldMs)
      throws TimeoutException {
    long timeout = ANSWER_MS + heldMs;
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setTimeout(timeout);
    if (bearer != null) {
      options.addHeader("Authorization", "Bearer " + bearer);
    }
    return http.request(options)
        .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(b -> toResponse(response, b)))
        .await(timeout, TimeUnit.MILLISECONDS);
  }

  private static Response toResponse(HttpClientResponse response, Buffer body) {
    Map<String, String> headers = new HashMap<>();
    response.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
    return new Response(response.statusCode(), headers, body.toString());
  }

  @Override
  public void close() {
    http.close();
  }
}
