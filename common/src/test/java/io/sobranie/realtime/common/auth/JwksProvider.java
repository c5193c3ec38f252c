package io.sobranie.realtime.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JWKS provider for tests: a real HTTP server on 127.0.0.1 serving the RSA keys it currently
 * publishes, counting every fetch. It can rotate keys, answer 503 ("down"), or hold answers until
 * released (to make fetches overlap). Keys are generated here; tokens are signed with them.
 */
public final class JwksProvider {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final Map<String, KeyPair> keys = new LinkedHashMap<>();
  private final Map<String, KeyPair> published = new LinkedHashMap<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile boolean down;
  private volatile String cacheControl;
  private volatile Promise<Void> hold;
  private HttpServer server;

  /** Starts serving on a random port of 127.0.0.1. */
  public Future<JwksProvider> start(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1")
        .map(s -> {
          server = s;
          return this;
        });
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json";
  }

  private void answer(HttpServerRequest request) {
    fetches.incrementAndGet();
    Promise<Void> held = hold;
    (held == null ? Future.<Void>succeededFuture() : held.future()).onComplete(v -> {
      if (down) {
        request.response().setStatusCode(503).end();
        return;
      }
      JsonArray jwks = new JsonArray();
      synchronized (this) {
        published.forEach((kid, pair) -> jwks.add(jwk(pair, kid)));
      }
      if (cacheControl != null) {
        request.response().putHeader("Cache-Control", cacheControl);
      }
      request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("keys", jwks).encode());
    });
  }

  /** Publishes exactly these kids (new key pairs are made for kids never seen). */
  public synchronized JwksProvider publish(String... kids) throws GeneralSecurityException {
    published.clear();
    for (String kid : kids) {
      if (!keys.containsKey(kid)) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys.put(kid, generator.generateKeyPair());
      }
      published.put(kid, keys.get(kid));
    }
    return this;
  }

  /** How many times the JWKS was requested. */
  public int fetches() {
    return fetches.get();
  }

  public void down(boolean down) {
    this.down = down;
  }

  public void cacheControl(String value) {
    this.cacheControl = value;
  }

  /** From now on answers wait until {@link #release()}. */
  public void hold() {
    hold = Promise.promise();
  }

  public void release() {
    Promise<Void> held = hold;
    hold = null;
    held.tryComplete();
  }

  /** An RS256 token for {@code sub}, valid for an hour, signed with the key of {@code kid}, naming {@code headerKid}. */
  public synchronized String token(String kid, String headerKid, String sub) throws GeneralSecurityException {
    long now = System.currentTimeMillis() / 1000;
    JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT");
    if (headerKid != null) {
      header.put("kid", headerKid);
    }
    JsonObject claims = new JsonObject().put("sub", sub).put("iat", now).put("exp", now + 3600);
    String input = b64(header.encode()) + "." + b64(claims.encode());
    Signature signature = Signature.getInstance("SHA256withRSA");
    signature.initSign(keys.get(kid).getPrivate());
    signature.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64URL.encodeToString(signature.sign());
  }

  /** A token signed with the key of {@code kid} and naming it. */
  public String token(String kid, String sub) throws GeneralSecurityException {
    return token(kid, kid, sub);
  }

  private static String b64(String json) {
    return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The public JWK of an RSA key pair (RS256, signing). */
  static JsonObject jwk(KeyPair pair, String kid) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", B64URL.encodeToString(unsigned(key.getModulus())))
        .put("e", B64URL.encodeToString(unsigned(key.getPublicExponent())));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }
}
