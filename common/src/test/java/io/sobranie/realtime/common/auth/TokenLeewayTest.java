package io.sobranie.realtime.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sobranie.realtime.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code JWT_LEEWAY_SECONDS}: the clock skew tolerated between the token issuer and this server. */
class TokenLeewayTest {
  private static final String SECRET = "leeway-secret-0123456789-abcdefghijklmnop";
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private TokenVerifier verifier(int leeway) {
    return TokenVerifier.create(vertx, ConfigLoader.load(Map.of("JWT_SECRET", SECRET,
        "JWT_LEEWAY_SECONDS", String.valueOf(leeway)))).await();
  }

  private static String expiredSecondsAgo(long seconds) {
    long now = System.currentTimeMillis() / 1000;
    return DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("exp", now - seconds));
  }

  @Test
  @DisplayName("a token expired 5 s ago passes with 30 s of leeway and fails without")
  void leewayOnExpiry() {
    assertEquals("alice", verifier(30).verify(expiredSecondsAgo(5)).await().userId());
    assertThrows(TokenVerifier.InvalidTokenException.class, () -> verifier(0).verify(expiredSecondsAgo(5)).await());
  }

  @Test
  @DisplayName("leeway does not stretch beyond itself: expired 60 s ago fails with 30 s of leeway")
  void leewayIsBounded() {
    assertThrows(TokenVerifier.InvalidTokenException.class, () -> verifier(30).verify(expiredSecondsAgo(60)).await());
  }
}
