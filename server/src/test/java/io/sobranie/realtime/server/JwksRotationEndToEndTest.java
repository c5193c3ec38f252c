package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sobranie.realtime.common.auth.JwksProvider;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A node verifying RS256 tokens from a JWKS URL follows the provider's key rotation between two connects. */
class JwksRotationEndToEndTest extends ServerTestBase {
  private static Vertx providerVertx;
  private static JwksProvider provider;

  @BeforeAll
  static void startProvider() throws Exception {
    providerVertx = Vertx.vertx();
    provider = new JwksProvider().publish("B").publish("A"); // key B made now, published later
    provider.start(providerVertx).await(5, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopProvider() {
    providerVertx.close().await();
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("JWT_JWKS_URL", provider.url());
  }

  private void assertRejected(WsClient client) {
    assertEquals(1008, client.awaitClose());
    assertEquals("unauthorized", client.closeReason());
  }

  @Test
  @DisplayName("after the provider rotates from key A to key B, a WebSocket with a kid-B token connects, one with a kid-A token is refused")
  void webSocketConnectsFollowTheRotation() throws Exception {
    int atStart = provider.fetches();
    assertEquals("alice", open("token=" + provider.token("A", "alice"), null).next("connected").getString("userId"));

    provider.publish("B");
    assertEquals("bob", open("token=" + provider.token("B", "bob"), null).next("connected").getString("userId"));
    assertEquals(atStart + 1, provider.fetches(), "one refetch, caused by the unknown kid B");

    assertRejected(open("token=" + provider.token("A", "alice"), null));
    assertRejected(open("token=" + provider.token("A", "bogus", "mallory"), null));
    assertEquals(atStart + 1, provider.fetches(), "a bogus kid right after a refetch fetches nothing");
  }
}
