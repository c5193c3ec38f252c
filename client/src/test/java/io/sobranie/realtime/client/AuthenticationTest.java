package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.DevTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Credentials: refused tokens end in a clear exception, suppliers are asked again, tickets work. */
class AuthenticationTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static RealtimeException connectFailure(RealtimeClient client) {
    ExecutionException failure = assertThrows(ExecutionException.class, () -> client.connect().get(20, TimeUnit.SECONDS));
    return assertInstanceOf(RealtimeException.class, failure.getCause());
  }

  @Test
  @DisplayName("a bad token makes connect() fail with unauthorized (no hang, no retry loop) and the client CLOSED")
  void badToken() {
    String forged = DevTokens.mint("another-secret-0123456789-abcdefghijkl", "alice", 3600, List.of());
    try (RealtimeClient client = RealtimeClient.builder(server.url()).token(forged).build()) {
      RealtimeException error = connectFailure(client);
      assertEquals(RealtimeException.UNAUTHORIZED, error.code());
      assertTrue(error.getMessage().contains("refused"), error.getMessage());
      assertEquals(ConnectionState.CLOSED, client.state());
    }
  }

  @Test
  @DisplayName("an expired token fails the same way")
  void expiredToken() {
    String expired = DevTokens.mint(TestServer.SECRET, "alice", -60, List.of());
    try (RealtimeClient client = RealtimeClient.builder(server.url()).token(expired).build()) {
      assertEquals(RealtimeException.UNAUTHORIZED, connectFailure(client).code());
    }
  }

  @Test
  @DisplayName("a supplier is asked again after a refusal (a stale token), and a second refusal in a row ends the client")
  void supplierRefusals() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    String stale = DevTokens.mint(TestServer.SECRET, "alice", -60, List.of());
    try (RealtimeClient client = RealtimeClient.builder(server.url()).reconnect(new Backoff(10, 50, 2, 0))
        .token(() -> CompletableFuture.completedFuture(asked.incrementAndGet() == 1 ? stale : TestServer.token("alice"))).build()) {
      assertEquals("alice", client.connect().get(10, TimeUnit.SECONDS).userId());
      assertEquals(2, asked.get());
    }
    AtomicInteger askedBad = new AtomicInteger();
    try (RealtimeClient client = RealtimeClient.builder(server.url()).reconnect(new Backoff(10, 50, 2, 0))
        .token(() -> {
          askedBad.incrementAndGet();
          return CompletableFuture.completedFuture(stale);
        }).build()) {
      assertEquals(RealtimeException.UNAUTHORIZED, connectFailure(client).code());
      assertEquals(2, askedBad.get());
    }
  }

  @Test
  @DisplayName("a supplier that fails is reported and retried, not a hang")
  void failingSupplier() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    Inbox<RealtimeException> errors = new Inbox<>();
    try (RealtimeClient client = RealtimeClient.builder(server.url()).reconnect(new Backoff(10, 50, 2, 0))
        .listener(new RealtimeListener() {
          @Override
          public void onError(RealtimeException error) {
            errors.add(error);
          }
        })
        .token(() -> asked.incrementAndGet() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("token service down"))
            : CompletableFuture.completedFuture(TestServer.token("alice"))).build()) {
      client.connect().get(10, TimeUnit.SECONDS);
      RealtimeException error = errors.next();
      assertEquals(RealtimeException.UNAUTHORIZED, error.code());
      assertTrue(error.getMessage().contains("token service down"), error.getMessage());
    }
  }

  @Test
  @DisplayName("a client with a ticket supplier connects with one-time tickets from POST /realtime/ticket")
  void tickets() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    AtomicInteger issued = new AtomicInteger();
    TokenSupplier tickets = () -> http.sendAsync(HttpRequest.newBuilder(URI.create(server.url() + "/realtime/ticket"))
            .header("Authorization", "Bearer " + TestServer.token("alice")).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
          issued.incrementAndGet();
          return response.body().replaceAll(".*\"ticket\":\"([^\"]+)\".*", "$1");
        });
    try (RealtimeClient client = RealtimeClient.builder(server.url()).tickets(tickets).build()) {
      assertEquals("alice", client.connect().get(10, TimeUnit.SECONDS).userId());
      assertEquals(1, issued.get());
      ExecutionException rest = assertThrows(ExecutionException.class, () -> client.history("chat:x", null, 1).get(10, TimeUnit.SECONDS));
      assertEquals(RealtimeException.UNAUTHORIZED, assertInstanceOf(RealtimeException.class, rest.getCause()).code(),
          "REST needs a token, which this client was not given");
    }
  }

  @Test
  @DisplayName("the service client with a user's token is refused with forbidden (HTTP 403)")
  void serviceClientNeedsAServiceToken() {
    ServiceClient notAService = ServiceClient.create(server.url(), TokenSupplier.fixed(TestServer.token("alice")));
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> notAService.publish("chat:x", Map.of(), null).get(10, TimeUnit.SECONDS));
    RealtimeException error = assertInstanceOf(RealtimeException.class, failure.getCause());
    assertEquals(RealtimeException.FORBIDDEN, error.code());
    assertEquals(403, error.httpStatus());
  }
}
