package io.sobranie.realtime.common.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collection;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Mints HS256 tokens: the {@code token} command, the DEV_MODE token, tests and load tools. */
public final class DevTokens {
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private DevTokens() {
  }

  /** A token for {@code userId} valid for {@code ttlSeconds}, with the given roles (may be empty). */
  public static String mint(String secret, String userId, long ttlSeconds, Collection<String> roles) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", userId).put("iat", now).put("exp", now + ttlSeconds);
    if (!roles.isEmpty()) {
      claims.put("roles", new JsonArray(roles.stream().toList()));
    }
    return sign(secret, claims);
  }

  /** Signs arbitrary claims with HS256 (no claim is added). */
  public static String sign(String secret, JsonObject claims) {
    String header = URL.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    String signingInput = header + "." + payload;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
