package io.sobranie.realtime.common.auth;

import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.sobranie.realtime.common.config.ConfigException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Verifies client tokens (PROTOCOL.md section 1): HS256 with a shared secret, or RS256/ES256 with
 * a PEM public key or a JWKS URL; {@code iss}/{@code aud} when configured; {@code exp} required,
 * {@code nbf} honoured (both with {@code JWT_LEEWAY_SECONDS} of clock skew); {@code alg: none} and unknown algorithms refused; {@code sub} (fallback
 * {@code userId}) must be a valid user id. Every failure is the same {@link InvalidTokenException}:
 * clients are told "unauthorized", never why.
 */
public final class TokenVerifier {
  private final JWTAuth jwt;

  private TokenVerifier(JWTAuth jwt) {
    this.jwt = jwt;
  }

  /** Builds the verifier the configuration asks for; fetching a JWKS is asynchronous. */
  public static Future<TokenVerifier> create(Vertx vertx, RealtimeConfig config) {
    JWTOptions checks = new JWTOptions().setLeeway(config.jwtLeewaySeconds());
    if (config.jwtIssuer() != null) {
      checks.setIssuer(config.jwtIssuer());
    }
    if (config.jwtAudience() != null) {
      checks.setAudience(List.of(config.jwtAudience()));
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    if (config.jwtSecret() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()));
    }
    if (config.jwtPublicKey() != null) {
      String base64 = config.jwtPublicKey().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      options.addPubSecKey(new PubSecKeyOptions()
          .setAlgorithm(publicKeyAlgorithm(base64))
          .setBuffer("-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n"));
    }
    if (config.jwtJwksUrl() == null) {
      return Future.succeededFuture(new TokenVerifier(JWTAuth.create(vertx, options)));
    }
    return fetchJwks(vertx, config.jwtJwksUrl()).map(keys -> {
      options.setJwks(keys);
      return new TokenVerifier(JWTAuth.create(vertx, options));
    });
  }

  /** RS256 for an RSA key, ES256 for an EC key; anything else is a configuration error. */
  private static String publicKeyAlgorithm(String base64) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("JWT_PUBLIC_KEY", "not a PEM public key (bad base64)");
    }
    for (String[] candidate : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(candidate[0]).generatePublic(new X509EncodedKeySpec(der));
        return candidate[1];
      } catch (GeneralSecurityException notThisKind) {
        // try the next kind
      }
    }
    throw new ConfigException("JWT_PUBLIC_KEY", "not an RSA or EC public key (expected PEM SubjectPublicKeyInfo)");
  }

  private static Future<List<JsonObject>> fetchJwks(Vertx vertx, String url) {
    HttpClient client = vertx.createHttpClient();
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
        .compose(request -> request.send())
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture("JWKS " + url + " answered HTTP " + response.statusCode());
          }
          return response.body();
        })
        .map(body -> {
          JsonArray keys = new JsonObject(body).getJsonArray("keys");
          List<JsonObject> result = new ArrayList<>();
          for (int i = 0; i < keys.size(); i++) {
            result.add(keys.getJsonObject(i));
          }
          return result;
        })
        .eventually(client::close);
  }

  /** Verifies a token; fails with {@link InvalidTokenException} for anything not acceptable. */
  public Future<Principal> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > 8192) {
      return Future.failedFuture(new InvalidTokenException("missing or oversized token"));
    }
    try {
      return jwt.authenticate(new TokenCredentials(token))
          .recover(failure -> Future.failedFuture(new InvalidTokenException(failure.getMessage())))
          .compose(user -> principal(user.attributes().getJsonObject("accessToken", new JsonObject())));
    } catch (RuntimeException e) {
      return Future.failedFuture(new InvalidTokenException(e.getMessage()));
    }
  }

  private static Future<Principal> principal(JsonObject claims) {
    if (!(claims.getValue("exp") instanceof Number exp)) {
      return Future.failedFuture(new InvalidTokenException("token has no exp"));
    }
    Object sub = claims.getValue("sub");
    if (sub == null) {
      sub = claims.getValue("userId");
    }
    if (!(sub instanceof String userId) || !Principal.isValidUserId(userId)) {
      return Future.failedFuture(new InvalidTokenException("token subject is not a valid user id"));
    }
    Object roles = claims.getValue("roles");
    Object circles = claims.getValue("circles");
    return Future.succeededFuture(new Principal(userId,
        Principal.strings(roles instanceof JsonArray a ? a : null),
        Principal.strings(circles instanceof JsonArray a ? a : null),
        exp.longValue() * 1000));
  }

  /** A token was rejected. The message is for logs only; clients are told "unauthorized". */
  public static final class InvalidTokenException extends RuntimeException {
    public InvalidTokenException(String reason) {
      super(reason, null, false, false);
    }
  }
}
