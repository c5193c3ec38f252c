package io.sobranie.realtime.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** JWKS key rotation: keys by kid, one coalesced refetch per unknown kid, no fetch storms, periodic refresh. */
class JwksRotationTest {
  private static final long HOUR_MS = 3_600_000;

  private Vertx vertx;
  private JwksProvider provider;
  /** The verifier's clock for the refetch interval; tests move it by hand. */
  private final AtomicLong clock = new AtomicLong(1_000_000);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    provider = new JwksProvider().publish("A");
    provider.start(vertx).await(15, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private TokenVerifier verifier(long minRefetchMs, long refreshMs) throws Exception {
    return TokenVerifier.create(vertx, ConfigLoader.load(Map.of("JWT_JWKS_URL", provider.url())),
        minRefetchMs, refreshMs, clock::get).await(15, TimeUnit.SECONDS);
  }

  private TokenVerifier verifier() throws Exception {
    return verifier(TokenVerifier.JWKS_MIN_REFETCH_MS, HOUR_MS);
  }

  private static String accepted(TokenVerifier verifier, String token) throws Exception {
    return verifier.verify(token).await(15, TimeUnit.SECONDS).userId();
  }

  private static void rejected(TokenVerifier verifier, String token) {
    Exception e = assertThrows(Exception.class, () -> verifier.verify(token).await(15, TimeUnit.SECONDS));
    assertInstanceOf(TokenVerifier.InvalidTokenException.class, e, "rejection must be InvalidTokenException: " + e);
  }

  @Test
  @DisplayName("a token signed by a published key verifies with the one fetch made at start")
  void publishedKeyVerifies() throws Exception {
    TokenVerifier v = verifier();
    assertEquals("alice", accepted(v, provider.token("A", "alice")));
    assertEquals(1, provider.fetches());
  }

  @Test
  @DisplayName("after the provider rotates to key B, a token with kid B verifies after exactly one refetch, and key A stops verifying")
  void rotationIsFollowedWithOneRefetch() throws Exception {
    TokenVerifier v = verifier();
    assertEquals("alice", accepted(v, provider.token("A", "alice")));
    provider.publish("B");
    assertEquals("bob", accepted(v, provider.token("B", "bob")));
    assertEquals(2, provider.fetches());
    assertEquals("bob", accepted(v, provider.token("B", "bob")));
    rejected(v, provider.token("A", "alice"));
    assertEquals(2, provider.fetches(), "known kids and a removed one fetch nothing more within the interval");
  }

  @Test
  @DisplayName("50 concurrent tokens with an unknown kid share one fetch")
  void concurrentUnknownKidsShareOneFetch() throws Exception {
    // No interval: only the coalescing of the fetch in flight can keep this to one fetch.
    TokenVerifier v = verifier(0, HOUR_MS);
    provider.publish("A", "B");
    provider.hold();
    List<Future<Principal>> verifications = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      verifications.add(v.verify(provider.token("B", "user" + i)));
    }
    provider.release();
    for (int i = 0; i < 50; i++) {
      assertEquals("user" + i, verifications.get(i).await(15, TimeUnit.SECONDS).userId());
    }
    assertEquals(2, provider.fetches(), "the start-up fetch and one refetch");
  }

  @Test
  @DisplayName("a second bogus kid within the interval fetches nothing and is rejected; after the interval one more fetch is allowed")
  void bogusKidsCauseAtMostOneFetchPerInterval() throws Exception {
    TokenVerifier v = verifier();
    rejected(v, provider.token("A", "bogus-1", "mallory"));
    assertEquals(2, provider.fetches());
    rejected(v, provider.token("A", "bogus-2", "mallory"));
    clock.addAndGet(TokenVerifier.JWKS_MIN_REFETCH_MS - 1);
    rejected(v, provider.token("A", "bogus-3", "mallory"));
    assertEquals(2, provider.fetches(), "no fetch within the interval");
    clock.addAndGet(1);
    rejected(v, provider.token("A", "bogus-4", "mallory"));
    assertEquals(3, provider.fetches(), "one fetch once the interval has passed");
    assertEquals("alice", accepted(v, provider.token("A", "alice")));
  }

  @Test
  @DisplayName("a token without kid is verified against the published keys without a fetch")
  void tokenWithoutKidIsTriedOnThePublishedKeys() throws Exception {
    TokenVerifier v = verifier();
    assertEquals("alice", accepted(v, provider.token("A", null, "alice")));
    assertEquals(1, provider.fetches());
  }

  @Test
  @DisplayName("a token signed by a published key but naming an unknown kid is rejected")
  void unknownKidIsRejectedEvenWithAValidSignature() throws Exception {
    rejected(verifier(), provider.token("A", "not-A", "alice"));
  }

  @Test
  @DisplayName("with the provider down during a refetch, the old keys still verify")
  void failedRefetchKeepsTheOldKeys() throws Exception {
    TokenVerifier v = verifier();
    provider.publish("A", "B");
    provider.down(true);
    rejected(v, provider.token("B", "bob"));
    assertEquals(2, provider.fetches(), "the refetch was tried");
    assertEquals("alice", accepted(v, provider.token("A", "alice")));
  }

  @Test
  @DisplayName("a kid that is not a string is rejected without a fetch")
  void nonStringKidIsRejected() throws Exception {
    TokenVerifier v = verifier();
    String token = provider.token("A", "alice");
    String header = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"alg\":\"RS256\",\"kid\":42}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    rejected(v, header + token.substring(token.indexOf('.')));
    assertEquals(1, provider.fetches());
  }

  @Test
  @DisplayName("the JWKS is refreshed periodically, so a key removed at the provider stops verifying without any unknown kid")
  void periodicRefreshSeesRemovals() throws Exception {
    provider.publish("B").publish("A"); // makes key B now, so the rotation below is instant
    TokenVerifier v = verifier(TokenVerifier.JWKS_MIN_REFETCH_MS, 200);
    String alice = provider.token("A", "alice");
    assertEquals("alice", accepted(v, alice));
    provider.publish("B");
    // The next fetch is asked after the removal; the one after it is timed from that answer, so it has been applied.
    awaitFetches(provider.fetches() + 2);
    rejected(v, alice);
  }

  @Test
  @DisplayName("Cache-Control max-age shortens the refresh interval (never below the minimum interval)")
  void maxAgeShortensTheRefresh() throws Exception {
    provider.cacheControl("public, max-age=0");
    verifier(100, HOUR_MS);
    awaitFetches(3);
  }

  @Test
  @DisplayName("a JWKS that cannot be read at start-up fails the start")
  void unreadableJwksFailsTheStart() {
    provider.down(true);
    assertThrows(Exception.class, this::verifier);
  }

  /** Waits (bounded) until the provider has been asked {@code count} times. */
  private void awaitFetches(int count) throws InterruptedException {
    for (int i = 0; i < 500 && provider.fetches() < count; i++) {
      Thread.sleep(10);
    }
    assertTrue(provider.fetches() >= count, "expected " + count + " fetches, saw " + provider.fetches());
  }
}
