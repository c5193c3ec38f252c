package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The service API over REST (docs/protocol.md section 6), for platform services outside the
 * cluster: a token with role {@code service} is required (others get {@code forbidden}). Services
 * inside the cluster can use the event bus instead (the {@code realtime-bus-client} module).
 * Answers complete on the HTTP client's threads. Thread-safe.
 */
public final class ServiceClient {
  private final Rest rest;

  private ServiceClient(Rest rest) {
    this.rest = rest;
  }

  /** A client for the server at {@code serverUrl}; {@code serviceToken} is asked before each call (and after a 401). */
  public static ServiceClient create(URI serverUrl, TokenSupplier serviceToken) {
    return create(serverUrl, serviceToken, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build(), new ObjectMapper());
  }

  /** Like {@link #create(URI, TokenSupplier)} with the app's HTTP client and mapper (for {@code data}). */
  public static ServiceClient create(URI serverUrl, TokenSupplier serviceToken, HttpClient http, ObjectMapper mapper) {
    String url = serverUrl.toString().replaceAll("/+$", "");
    return new ServiceClient(new Rest(http, url, Objects.requireNonNull(serviceToken), mapper, Duration.ofSeconds(10)));
  }

  /**
   * {@code POST /realtime/send}: a notification for {@code userId}: stored, counted unread,
   * delivered live on every connection of the user, or queued until the next one.
   */
  public CompletableFuture<NotificationRef> sendNotification(String userId, String kind, Object data) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("userId", userId);
    body.put("kind", kind);
    body.put("data", data);
    return rest.post("/realtime/send", body).thenApply(NotificationRef::of);
  }

  /** {@code POST /realtime/publish}: a channel message from {@code service:{sub}}, with an optional {@code kind}. */
  public CompletableFuture<Published> publish(String channel, Object data, String kind) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("channel", channel);
    body.put("data", data);
    if (kind != null) {
      body.put("kind", kind);
    }
    return rest.post("/realtime/publish", body).thenApply(Published::of);
  }

  /** {@code POST /realtime/broadcast}: a message with {@code kind} on {@code channel}, or on {@code broadcast} (every connection) when it is null. */
  public CompletableFuture<Published> broadcast(String channel, String kind, Object data) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (channel != null) {
      body.put("channel", channel);
    }
    body.put("kind", kind);
    body.put("data", data);
    return rest.post("/realtime/broadcast", body).thenApply(Published::of);
  }

  /**
   * {@code POST /realtime/disconnect}: closes every WebSocket and SSE connection of {@code userId}
   * on every node (e.g. after a ban); answers how many were open. {@code reason} (1..100
   * characters, or null) is the close reason the user's clients see.
   */
  public CompletableFuture<Integer> disconnect(String userId, String reason) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("userId", userId);
    if (reason != null) {
      body.put("reason", reason);
    }
    return rest.post("/realtime/disconnect", body).thenApply(answer -> answer.path("closed").asInt());
  }
}
