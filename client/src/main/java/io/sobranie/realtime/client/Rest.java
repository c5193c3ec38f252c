package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;

/**
 * The REST side of the protocol (docs/protocol.md section 6) over {@code java.net.http}: JSON in
 * and out with {@code Authorization: Bearer}, error bodies turned into {@link RealtimeException}s,
 * and one retry with a fresh token after a 401 (an expired token the supplier can renew).
 */
final class Rest {
  private final HttpClient http;
  private final String baseUrl;
  private final TokenSupplier tokens;
  private final ObjectMapper mapper;
  private final Duration timeout;

  /** {@code tokens} null: this client has tickets only, which REST does not take. */
  Rest(HttpClient http, String baseUrl, TokenSupplier tokens, ObjectMapper mapper, Duration timeout) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.tokens = tokens;
    this.mapper = mapper;
    this.timeout = timeout;
  }

  /** GET {@code path} → the JSON body. */
  CompletableFuture<JsonNode> get(String path) {
    return json(send(path, b -> b.GET(), Map.of()));
  }

  /** POST {@code body} as JSON → the JSON body, or null for 204. */
  CompletableFuture<JsonNode> post(String path, Object body) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(body);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.BAD_REQUEST, "cannot write the body as JSON: " + e.getMessage()));
    }
    return json(send(path, b -> b.POST(HttpRequest.BodyPublishers.ofByteArray(json)), Map.of("Content-Type", "application/json")));
  }

  /** POST raw bytes with extra headers → the JSON body. */
  CompletableFuture<JsonNode> postBytes(String path, byte[] body, Map<String, String> headers) {
    return json(send(path, b -> b.POST(HttpRequest.BodyPublishers.ofByteArray(body)), headers));
  }

  /** GET {@code path} → the raw body. */
  CompletableFuture<byte[]> bytes(String path) {
    return send(path, b -> b.GET(), Map.of()).thenApply(HttpResponse::body);
  }

  private CompletableFuture<JsonNode> json(CompletableFuture<HttpResponse<byte[]>> response) {
    return response.thenApply(r -> {
      if (r.statusCode() == 204 || r.body().length == 0) {
        return null;
      }
      try {
        return mapper.readTree(r.body());
      } catch (IOException e) {
        throw new RealtimeException(RealtimeException.BAD_FRAME, "the server's answer is not JSON: " + e.getMessage());
      }
    });
  }

  private CompletableFuture<HttpResponse<byte[]>> send(String path, UnaryOperator<HttpRequest.Builder> method,
                                                     Map<String, String> headers) {
    if (tokens == null) {
      return CompletableFuture.failedFuture(new RealtimeException(RealtimeException.UNAUTHORIZED,
          "REST calls need a token (Builder.token); this client was given tickets, which only open WebSockets"));
    }
    return attempt(path, method, headers, true);
  }

  private CompletableFuture<HttpResponse<byte[]>> attempt(String path, UnaryOperator<HttpRequest.Builder> method,
                                                        Map<String, String> headers, boolean mayRetry) {
    return tokens.get().toCompletableFuture().thenCompose(token -> {
      HttpRequest.Builder request = method.apply(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout))
          .header("Authorization", "Bearer " + token);
      headers.forEach(request::header);
      return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }).handle((response, failure) -> {
      if (failure != null) {
        throw transportFailure(path, failure);
      }
      return response;
    }).thenCompose(response -> {
      if (response.statusCode() == 401 && mayRetry) {
        return attempt(path, method, headers, false);
      }
      if (response.statusCode() >= 400) {
        throw error(response);
      }
      return CompletableFuture.completedFuture(response);
    });
  }

  private static RealtimeException transportFailure(String path, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof RealtimeException e) {
      return e;
    }
    String what = path.split("\\?")[0];
    return cause instanceof HttpTimeoutException
        ? new RealtimeException(RealtimeException.TIMEOUT, "no answer in time to " + what, 0, 0, null, null, cause)
        : new RealtimeException(RealtimeException.NETWORK, what + " failed: " + cause, 0, 0, null, null, cause);
  }

  /** The error body {@code {"error":{code,message}}} (with {@code Retry-After} for 429). */
  private RealtimeException error(HttpResponse<byte[]> response) {
    String code = response.statusCode() == 404 ? RealtimeException.NOT_FOUND
        : response.statusCode() == 503 ? RealtimeException.UNAVAILABLE : RealtimeException.INTERNAL;
    String message = "HTTP " + response.statusCode();
    long retryAfterMs = response.headers().firstValue("Retry-After").filter(v -> v.matches("\\d+"))
        .map(v -> Long.parseLong(v) * 1000).orElse(0L);
    try {
      JsonNode error = mapper.readTree(response.body()).path("error");
      code = error.hasNonNull("code") ? error.get("code").asText() : code;
      message = error.hasNonNull("message") ? error.get("message").asText() : message;
      retryAfterMs = error.hasNonNull("retryAfterMs") ? error.get("retryAfterMs").asLong() : retryAfterMs;
    } catch (IOException notJson) {
      // keep what the status says
    }
    return new RealtimeException(code, message, response.statusCode(), retryAfterMs, null, null, null);
  }
}
