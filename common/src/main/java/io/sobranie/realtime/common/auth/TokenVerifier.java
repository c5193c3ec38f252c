package io.sobranie.realtime.common.auth;

import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Verifies client tokens (PROTOCOL.md section 1): HS256 with a shared secret, or RS256/ES256 with
 * a PEM public key or a JWKS URL; {@code iss}/{@code aud} when configured; {@code exp} required,
 * {@code nbf} honoured (both with {@code JWT_LEEWAY_SECONDS} of clock skew); {@code alg: none} and unknown algorithms refused; {@code sub} (fallback
 * {@code userId}) must be a valid user id. Every failure is the same {@link InvalidTokenException}
 * with a {@link Reason} from a fixed vocabulary: clients are told "unauthorized", never why, and the
 * log names the reason, never the token's own text or the library's message.
 */
public final class TokenVerifier {
  /** Unknown-kid refetches of the JWKS happen at most once per this interval. */
  static final long JWKS_MIN_REFETCH_MS = 30_000;
  /** The JWKS is read again this often (sooner if its {@code Cache-Control: max-age} says so). */
  static final long JWKS_REFRESH_MS = 600_000;

  private final JWTAuth fixed;
  private final JwksKeys jwks;

  private TokenVerifier(JWTAuth fixed, JwksKeys jwks) {
    this.fixed = fixed;
    this.jwks = jwks;
  }

  /** Builds the verifier the configuration asks for; fetching a JWKS is asynchronous. */
  public static Future<TokenVerifier> create(Vertx vertx, RealtimeConfig config) {
    return create(vertx, config, JWKS_MIN_REFETCH_MS, JWKS_REFRESH_MS, System::currentTimeMillis);
  }

  /** As {@link #create(Vertx, RealtimeConfig)}, with the JWKS intervals and clock given (tests). */
  static Future<TokenVerifier> create(Vertx vertx, RealtimeConfig config, long minRefetchMs, long refreshMs,
                                      LongSupplier clock) {
    JWTAuthOptions base = options(config);
    if (config.jwtJwksUrl() == null) {
      return Future.succeededFuture(new TokenVerifier(JWTAuth.create(vertx, base), null));
    }
    // Each key set gets a verifier of its own, built on fresh options holding the fixed keys too.
    Function<List<JsonObject>, JWTAuth> build = keys -> JWTAuth.create(vertx, options(config).setJwks(keys));
    return new JwksKeys(vertx, config.jwtJwksUrl(), build, minRefetchMs, refreshMs, clock).load()
        .map(keys -> new TokenVerifier(null, keys));
  }

  /** Options with the claim checks and the configured secret or PEM key (not the JWKS). */
  private static JWTAuthOptions options(RealtimeConfig config) {
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
    return options;
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

  /** Verifies a token; fails with {@link InvalidTokenException} for anything not acceptable. */
  public Future<Principal> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > 8192) {
      return Future.failedFuture(new InvalidTokenException(Reason.MALFORMED));
    }
    try {
      return keysFor(token).compose(jwt -> jwt.authenticate(new TokenCredentials(token)))
          .recover(failure -> Future.failedFuture(failure instanceof InvalidTokenException ? failure
              : new InvalidTokenException(Reason.of(failure))))
          .compose(user -> principal(user.attributes().getJsonObject("accessToken", new JsonObject())));
    } catch (InvalidTokenException e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Future.failedFuture(new InvalidTokenException(Reason.of(e)));
    }
  }

  /**
   * The verifier for this token. With a JWKS, a {@code kid} must name one of its keys (after the
   * refetch an unknown one may trigger): the library would otherwise try the token on every key.
   */
  private Future<JWTAuth> keysFor(String token) {
    if (jwks == null) {
      return Future.succeededFuture(fixed);
    }
    String kid = kid(token);
    return jwks.forKid(kid).compose(keys -> kid == null || keys.kids().contains(kid)
        ? Future.succeededFuture(keys.auth())
        : Future.failedFuture(new InvalidTokenException(Reason.UNKNOWN_KEY)));
  }

  /** The {@code kid} of the token's header, or null when it has none; a malformed header is a bad token. */
  private static String kid(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      throw new InvalidTokenException(Reason.MALFORMED);
    }
    Object kid;
    try {
      kid = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8))
          .getValue("kid");
    } catch (RuntimeException e) {
      throw new InvalidTokenException(Reason.MALFORMED);
    }
    if (kid != null && !(kid instanceof String)) {
      throw new InvalidTokenException(Reason.MALFORMED);
    }
    return (String) kid;
  }

  private static Future<Principal> principal(JsonObject claims) {
    if (!(claims.getValue("exp") instanceof Number exp)) {
      return Future.failedFuture(new InvalidTokenException(Reason.NO_EXPIRY));
    }
    Object sub = claims.getValue("sub");
    if (sub == null) {
      sub = claims.getValue("userId");
    }
    if (!(sub instanceof String userId) || !Principal.isValidUserId(userId)) {
      return Future.failedFuture(new InvalidTokenException(Reason.BAD_SUBJECT));
    }
    Object roles = claims.getValue("roles");
    Object circles = claims.getValue("circles");
    return Future.succeededFuture(new Principal(userId,
        Principal.strings(roles instanceof JsonArray a ? a : null),
        Principal.strings(circles instanceof JsonArray a ? a : null),
        exp.longValue() * 1000));
  }

  /**
   * Why a token was refused, in words of our own: the log line names this, never a message built
   * from the token (a header's {@code alg} could carry newlines) or the library's text.
   */
  public enum Reason {
    MALFORMED("malformed"),
    BAD_SIGNATURE("bad-signature"),
    EXPIRED("expired"),
    NOT_YET_VALID("not-yet-valid"),
    WRONG_ISSUER("wrong-issuer"),
    WRONG_AUDIENCE("wrong-audience"),
    UNSUPPORTED_ALGORITHM("unsupported-algorithm"),
    UNKNOWN_KEY("unknown-key"),
    NO_EXPIRY("no-exp"),
    BAD_SUBJECT("bad-subject"),
    REJECTED("rejected");

    private final String word;

    Reason(String word) {
      this.word = word;
    }

    /** The reason as it appears in logs and metrics. */
    public String word() {
      return word;
    }

    /** Classifies a verification library's failure by its message; the message itself goes nowhere. */
    static Reason of(Throwable failure) {
      String text = String.valueOf(failure.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (text.contains("expired")) {
        return EXPIRED;
      }
      if (text.contains("signature")) {
        return BAD_SIGNATURE;
      }
      if (text.contains("audience")) {
        return WRONG_AUDIENCE;
      }
      if (text.contains("issuer")) {
        return WRONG_ISSUER;
      }
      if (text.contains("nbf") || text.contains("not yet") || text.contains("iat")) {
        return NOT_YET_VALID;
      }
      if (text.contains("algorithm") || text.contains("\"none\"")) {
        return UNSUPPORTED_ALGORITHM;
      }
      if (failure instanceof ClassCastException || failure instanceof IllegalArgumentException
          || text.contains("json") || text.contains("segment") || text.contains("decode")) {
        return MALFORMED;
      }
      return REJECTED;
    }
  }

  /** A token was rejected, for {@link #reason()}. Clients are told "unauthorized", never why. */
  public static final class InvalidTokenException extends RuntimeException {
    private final Reason reason;

    public InvalidTokenException(Reason reason) {
      super(reason.word(), null, false, false);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }
}
