package io.sobranie.realtime.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sobranie.realtime.common.config.ConfigException;
import io.sobranie.realtime.common.config.ConfigLoader;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 1: which tokens are accepted and which are rejected. */
class TokenVerifierTest {
  private static final String SECRET = "test-secret-0123456789abcdef-0123456789";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- helpers

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private TokenVerifier verifier(String... pairs) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    RealtimeConfig config = ConfigLoader.load(env);
    return await(TokenVerifier.create(vertx, config));
  }

  private TokenVerifier hs256() throws Exception {
    return verifier("JWT_SECRET", SECRET);
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** Claims valid for an hour for {@code sub}. */
  private static JsonObject claims(String sub) {
    return new JsonObject().put("sub", sub).put("iat", now()).put("exp", now() + 3600);
  }

  private static Principal accepted(TokenVerifier verifier, String token) throws Exception {
    return await(verifier.verify(token));
  }

  private static void rejected(TokenVerifier verifier, String token) {
    Exception e = assertThrows(Exception.class, () -> await(verifier.verify(token)));
    assertInstanceOf(TokenVerifier.InvalidTokenException.class, e, "rejection must be InvalidTokenException: " + e);
  }

  private static String b64(String json) {
    return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A token with the given header, signed by {@code algorithm} (a JCA signature name) with {@code key}. */
  private static String signed(JsonObject header, JsonObject claims, String algorithm, PrivateKey key) throws GeneralSecurityException {
    String input = b64(header.encode()) + "." + b64(claims.encode());
    Signature signature = Signature.getInstance(algorithm);
    signature.initSign(key);
    signature.update(input.getBytes(StandardCharsets.US_ASCII));
    byte[] sig = signature.sign();
    if (algorithm.endsWith("ECDSA")) {
      sig = derToJose(sig, 32);
    }
    return input + "." + B64URL.encodeToString(sig);
  }

  /** JOSE wants ECDSA signatures as raw R||S, each left-padded to {@code size} bytes; the JCA gives DER. */
  static byte[] derToJose(byte[] der, int size) {
    int offset = 2;
    if (der[1] == (byte) 0x81) {
      offset = 3; // long-form sequence length (not for P-256, but harmless)
    }
    byte[] out = new byte[2 * size];
    for (int part = 0; part < 2; part++) {
      if (der[offset] != 0x02) {
        throw new IllegalArgumentException("not a DER INTEGER");
      }
      int length = der[offset + 1];
      byte[] value = new byte[length];
      System.arraycopy(der, offset + 2, value, 0, length);
      byte[] unsigned = new BigInteger(1, value).toByteArray();
      int start = unsigned.length > size ? unsigned.length - size : 0; // drop a leading sign byte
      int copy = unsigned.length - start;
      System.arraycopy(unsigned, start, out, part * size + (size - copy), copy);
      offset += 2 + length;
    }
    return out;
  }

  private static String pem(KeyPair pair) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----";
  }

  private static KeyPair rsaKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static JsonObject header(String alg) {
    return new JsonObject().put("alg", alg).put("typ", "JWT");
  }

  // ---------------------------------------------------------------- HS256

  @Test
  void validHs256TokenGivesPrincipalWithUserIdRolesAndCircles() throws Exception {
    long exp = now() + 3600;
    JsonObject claims = new JsonObject().put("sub", "alice").put("exp", exp)
        .put("roles", new JsonArray().add("service").add("admin"))
        .put("circles", new JsonArray().add("c1").add("c2"));
    Principal p = accepted(hs256(), DevTokens.sign(SECRET, claims));
    assertEquals("alice", p.userId());
    assertEquals(Set.of("service", "admin"), p.roles());
    assertEquals(Set.of("c1", "c2"), p.circles());
    assertEquals(exp * 1000, p.expiresAtMs());
    assertEquals(true, p.isService());
  }

  @Test
  void tokenWithoutRolesOrCirclesGivesEmptySets() throws Exception {
    Principal p = accepted(hs256(), DevTokens.sign(SECRET, claims("bob")));
    assertEquals(Set.of(), p.roles());
    assertEquals(Set.of(), p.circles());
    assertEquals(false, p.isService());
  }

  @Test
  void numericCircleIdsAreReadAsStrings() throws Exception {
    Principal p = accepted(hs256(), DevTokens.sign(SECRET, claims("alice").put("circles", new JsonArray().add(42).add("c7"))));
    assertEquals(Set.of("42", "c7"), p.circles());
  }

  @Test
  void devTokensMintIsAccepted() throws Exception {
    Principal p = accepted(hs256(), DevTokens.mint(SECRET, "carol", 60, List.of("service")));
    assertEquals("carol", p.userId());
    assertEquals(Set.of("service"), p.roles());
  }

  @Test
  void tokenSignedWithAnotherSecretIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign("another-secret-0123456789abcdef-0123", claims("alice")));
  }

  @Test
  void tokenWithTamperedPayloadIsRejected() throws Exception {
    String token = DevTokens.sign(SECRET, claims("alice"));
    String[] parts = token.split("\\.");
    String forged = parts[0] + "." + b64(claims("admin").encode()) + "." + parts[2];
    rejected(hs256(), forged);
  }

  @Test
  void expiredTokenIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("exp", now() - 60)));
  }

  @Test
  void tokenWithoutExpIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("iat", now())));
  }

  @Test
  void tokenWithNonNumericExpIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("exp", "tomorrow")));
  }

  @Test
  void tokenWithNbfInTheFutureIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, claims("alice").put("nbf", now() + 3600)));
  }

  @Test
  void tokenWithNbfInThePastIsAccepted() throws Exception {
    assertEquals("alice", accepted(hs256(), DevTokens.sign(SECRET, claims("alice").put("nbf", now() - 60))).userId());
  }

  @Test
  @DisplayName("alg:none with an empty signature is rejected")
  void algNoneTokenIsRejected() throws Exception {
    String token = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims("alice").encode()) + ".";
    rejected(hs256(), token);
  }

  @Test
  @DisplayName("alg:none with a garbage signature is rejected")
  void algNoneTokenWithGarbageSignatureIsRejected() throws Exception {
    String token = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims("alice").encode()) + "."
        + B64URL.encodeToString("garbage-signature".getBytes(StandardCharsets.US_ASCII));
    rejected(hs256(), token);
  }

  @Test
  @DisplayName("alg:none without the trailing dot is rejected")
  void algNoneTokenWithoutSignatureSegmentIsRejected() throws Exception {
    String token = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims("alice").encode());
    rejected(hs256(), token);
  }

  @Test
  void subOf65CharactersIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, claims("a".repeat(65))));
  }

  @Test
  void subOf64CharactersIsAccepted() throws Exception {
    assertEquals("a".repeat(64), accepted(hs256(), DevTokens.sign(SECRET, claims("a".repeat(64)))).userId());
  }

  @Test
  void subWithSpaceIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, claims("alice smith")));
  }

  @Test
  void emptySubIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, claims("")));
  }

  @Test
  void numericSubIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, new JsonObject().put("sub", 42).put("exp", now() + 3600)));
  }

  @Test
  void userIdClaimIsUsedWhenThereIsNoSub() throws Exception {
    String token = DevTokens.sign(SECRET, new JsonObject().put("userId", "dave").put("exp", now() + 3600));
    assertEquals("dave", accepted(hs256(), token).userId());
  }

  @Test
  void subWinsOverUserIdClaim() throws Exception {
    String token = DevTokens.sign(SECRET, claims("alice").put("userId", "mallory"));
    assertEquals("alice", accepted(hs256(), token).userId());
  }

  @Test
  void tokenWithNeitherSubNorUserIdIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, new JsonObject().put("exp", now() + 3600)));
  }

  @Test
  void garbageTokenIsRejected() throws Exception {
    rejected(hs256(), "not-a-jwt");
    rejected(hs256(), "a.b.c");
  }

  @Test
  void emptyOrNullTokenIsRejected() throws Exception {
    TokenVerifier verifier = hs256();
    rejected(verifier, "");
    rejected(verifier, null);
  }

  @Test
  void oversizedTokenIsRejected() throws Exception {
    rejected(hs256(), DevTokens.sign(SECRET, claims("alice").put("pad", "x".repeat(10_000))));
  }

  // ---------------------------------------------------------------- issuer / audience

  @Test
  void rightIssuerIsAcceptedWhenConfigured() throws Exception {
    TokenVerifier v = verifier("JWT_SECRET", SECRET, "JWT_ISSUER", "https://auth.sobranie.io");
    assertEquals("alice", accepted(v, DevTokens.sign(SECRET, claims("alice").put("iss", "https://auth.sobranie.io"))).userId());
  }

  @Test
  void wrongIssuerIsRejectedWhenConfigured() throws Exception {
    TokenVerifier v = verifier("JWT_SECRET", SECRET, "JWT_ISSUER", "https://auth.sobranie.io");
    rejected(v, DevTokens.sign(SECRET, claims("alice").put("iss", "https://evil.example")));
  }

  @Test
  void missingIssuerIsRejectedWhenConfigured() throws Exception {
    TokenVerifier v = verifier("JWT_SECRET", SECRET, "JWT_ISSUER", "https://auth.sobranie.io");
    rejected(v, DevTokens.sign(SECRET, claims("alice")));
  }

  @Test
  void anyIssuerIsAcceptedWhenNotConfigured() throws Exception {
    assertEquals("alice", accepted(hs256(), DevTokens.sign(SECRET, claims("alice").put("iss", "whoever"))).userId());
  }

  @Test
  void rightAudienceIsAcceptedWhenConfigured() throws Exception {
    TokenVerifier v = verifier("JWT_SECRET", SECRET, "JWT_AUDIENCE", "realtime");
    assertEquals("alice", accepted(v, DevTokens.sign(SECRET, claims("alice").put("aud", "realtime"))).userId());
  }

  @Test
  void audienceArrayContainingTheAudienceIsAccepted() throws Exception {
    TokenVerifier v = verifier("JWT_SECRET", SECRET, "JWT_AUDIENCE", "realtime");
    String token = DevTokens.sign(SECRET, claims("alice").put("aud", new JsonArray().add("api").add("realtime")));
    assertEquals("alice", accepted(v, token).userId());
  }

  @Test
  void wrongAudienceIsRejectedWhenConfigured() throws Exception {
    TokenVerifier v = verifier("JWT_SECRET", SECRET, "JWT_AUDIENCE", "realtime");
    rejected(v, DevTokens.sign(SECRET, claims("alice").put("aud", "billing")));
  }

  @Test
  void missingAudienceIsRejectedWhenConfigured() throws Exception {
    TokenVerifier v = verifier("JWT_SECRET", SECRET, "JWT_AUDIENCE", "realtime");
    rejected(v, DevTokens.sign(SECRET, claims("alice")));
  }

  // ---------------------------------------------------------------- RS256 / ES256

  @Test
  void validRs256TokenIsAcceptedWithPublicKey() throws Exception {
    KeyPair rsa = rsaKeyPair();
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", pem(rsa));
    String token = signed(header("RS256"), claims("alice").put("roles", new JsonArray().add("service")), "SHA256withRSA", rsa.getPrivate());
    Principal p = accepted(v, token);
    assertEquals("alice", p.userId());
    assertEquals(Set.of("service"), p.roles());
  }

  @Test
  void rs256TokenSignedByAnotherKeyIsRejected() throws Exception {
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", pem(rsaKeyPair()));
    rejected(v, signed(header("RS256"), claims("alice"), "SHA256withRSA", rsaKeyPair().getPrivate()));
  }

  @Test
  void expiredRs256TokenIsRejected() throws Exception {
    KeyPair rsa = rsaKeyPair();
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", pem(rsa));
    rejected(v, signed(header("RS256"), new JsonObject().put("sub", "alice").put("exp", now() - 60), "SHA256withRSA", rsa.getPrivate()));
  }

  @Test
  void validEs256TokenIsAcceptedWithPublicKey() throws Exception {
    KeyPair ec = ecKeyPair();
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", pem(ec));
    String token = signed(header("ES256"), claims("bob").put("circles", new JsonArray().add("c1")), "SHA256withECDSA", ec.getPrivate());
    Principal p = accepted(v, token);
    assertEquals("bob", p.userId());
    assertEquals(Set.of("c1"), p.circles());
  }

  @Test
  void es256TokenSignedByAnotherKeyIsRejected() throws Exception {
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", pem(ecKeyPair()));
    rejected(v, signed(header("ES256"), claims("bob"), "SHA256withECDSA", ecKeyPair().getPrivate()));
  }

  @Test
  @DisplayName("an HS256 token is rejected by a verifier configured with an RSA public key")
  void hs256TokenIsRejectedByRs256Verifier() throws Exception {
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", pem(rsaKeyPair()));
    rejected(v, DevTokens.sign(SECRET, claims("alice")));
  }

  @Test
  @DisplayName("algorithm confusion: HS256 signed with the RSA public key text as secret is rejected")
  void hs256TokenSignedWithThePublicKeyAsSecretIsRejected() throws Exception {
    KeyPair rsa = rsaKeyPair();
    String publicPem = pem(rsa);
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", publicPem);
    rejected(v, DevTokens.sign(publicPem, claims("alice")));
    rejected(v, DevTokens.sign(publicPem + "\n", claims("alice")));
  }

  @Test
  void algNoneTokenIsRejectedByRs256Verifier() throws Exception {
    TokenVerifier v = verifier("JWT_PUBLIC_KEY", pem(rsaKeyPair()));
    rejected(v, b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims("alice").encode()) + ".");
  }

  @Test
  @DisplayName("JWT_PUBLIC_KEY that is not a public key is a configuration error naming JWT_PUBLIC_KEY")
  void badPublicKeyIsAConfigurationErrorNamingIt() {
    RealtimeConfig config = ConfigLoader.load(Map.of("JWT_PUBLIC_KEY",
        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----"));
    ConfigException e = assertThrows(ConfigException.class, () -> await(TokenVerifier.create(vertx, config)));
    assertTrue(e.getMessage().startsWith("JWT_PUBLIC_KEY"), e.getMessage());
  }

  // ---------------------------------------------------------------- JWKS

  /** Serves {@code {"keys":[jwk]}} on a random port; returns the JWKS URL. */
  private String serveJwks(JsonObject jwk) throws Exception {
    JsonObject body = new JsonObject().put("keys", new JsonArray().add(jwk));
    HttpServer server = await(vertx.createHttpServer()
        .requestHandler(request -> request.response().putHeader("content-type", "application/json").end(body.encode()))
        .listen(0, "127.0.0.1"));
    return "http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json";
  }

  @Test
  void rs256TokenIsAcceptedWithKeyFromJwksUrl() throws Exception {
    KeyPair rsa = rsaKeyPair();
    TokenVerifier v = verifier("JWT_JWKS_URL", serveJwks(JwksProvider.jwk(rsa, "k1")));
    String token = signed(header("RS256").put("kid", "k1"), claims("alice"), "SHA256withRSA", rsa.getPrivate());
    assertEquals("alice", accepted(v, token).userId());
  }

  @Test
  void rs256TokenSignedByAnotherKeyIsRejectedWithJwksUrl() throws Exception {
    TokenVerifier v = verifier("JWT_JWKS_URL", serveJwks(JwksProvider.jwk(rsaKeyPair(), "k1")));
    rejected(v, signed(header("RS256").put("kid", "k1"), claims("alice"), "SHA256withRSA", rsaKeyPair().getPrivate()));
  }

  @Test
  void hs256TokenIsRejectedWithJwksUrl() throws Exception {
    TokenVerifier v = verifier("JWT_JWKS_URL", serveJwks(JwksProvider.jwk(rsaKeyPair(), "k1")));
    rejected(v, DevTokens.sign(SECRET, claims("alice")));
  }

  @Test
  void derToJoseConversionProducesVerifiableSignatures() throws Exception {
    // Guards the test helper itself: 200 signatures, some of which have short or sign-padded R/S.
    KeyPair ec = ecKeyPair();
    for (int i = 0; i < 200; i++) {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(ec.getPrivate());
      byte[] data = ("m" + i).getBytes(StandardCharsets.US_ASCII);
      signer.update(data);
      byte[] raw = derToJose(signer.sign(), 32);
      Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
      verifier.initVerify(ec.getPublic());
      verifier.update(data);
      if (!verifier.verify(raw)) {
        fail("signature " + i + " did not survive the DER to R||S conversion");
      }
    }
  }
}
