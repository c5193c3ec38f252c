package io.sobranie.realtime.common.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys of a JWKS URL, kept by {@code kid} and following the provider's rotation. A token whose
 * {@code kid} is unknown triggers one refetch; concurrent unknown kids share the fetch in flight,
 * and such refetches happen at most once per {@code minRefetchMs} (a flood of bogus kids costs one
 * fetch per interval). The set is also refreshed every {@code refreshMs} (sooner when the answer's
 * {@code Cache-Control: max-age} says so), so keys removed at the provider stop verifying. Each
 * successful fetch replaces the whole set; a failed one keeps the old set and logs a warning.
 * Thread-safe: the gateway's event loops share one instance.
 */
final class JwksKeys {
  private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());
  private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");
  /** Per attempt; a fetch makes two attempts at most (see {@link #download()}). */
  private static final long FETCH_TIMEOUT_MS = 5_000;

  /** The keys in use: the kids they name, and a verifier holding exactly them. */
  record KeySet(Set<String> kids, JWTAuth auth) {
  }

  private final Vertx vertx;
  /** Every fetch runs here: one thread for the whole exchange, whoever asked. */
  private final Context context;
  private final String url;
  private final Function<List<JsonObject>, JWTAuth> build;
  private final long minRefetchMs;
  private final long refreshMs;
  private final LongSupplier clock;

  private volatile KeySet current;
  // Guarded by this:
  private Future<KeySet> inFlight;
  private long lastRefetchMs = Long.MIN_VALUE;
  private long refreshTimer = -1;

  JwksKeys(Vertx vertx, String url, Function<List<JsonObject>, JWTAuth> build, long minRefetchMs, long refreshMs,
           LongSupplier clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.url = url;
    this.build = build;
    this.minRefetchMs = minRefetchMs;
    this.refreshMs = refreshMs;
    this.clock = clock;
  }

  /** The first fetch: fails (and so does the node's start) when the provider cannot be read. */
  Future<JwksKeys> load() {
    return fetch().map(keys -> this);
  }

  /**
   * The key set to verify a token with this {@code kid} (null: a token without one). An unknown kid
   * waits for a refetch unless one ran within the interval; the set it gets may still lack the kid,
   * and the token then fails verification like any other bad token.
   */
  Future<KeySet> forKid(String kid) {
    KeySet keys = current;
    if (kid == null || keys.kids().contains(kid)) {
      return Future.succeededFuture(keys);
    }
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      long now = clock.getAsLong();
      if (lastRefetchMs != Long.MIN_VALUE && now - lastRefetchMs < minRefetchMs) {
        return Future.succeededFuture(current);
      }
      lastRefetchMs = now;
    }
    LOG.info("jwks refetch url=" + url + " reason=unknown kid");
    return fetch();
  }

  /**
   * Starts a fetch, or joins the one in flight. The answer never fails after the first load. The
   * request is sent outside the lock, so the HTTP client never runs while this object is held.
   */
  private Future<KeySet> fetch() {
    Promise<KeySet> done = Promise.promise();
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      inFlight = done.future();
    }
    boolean first = current == null;
    download().onComplete(result -> {
      long nextMs;
      synchronized (this) {
        inFlight = null;
        if (result.succeeded()) {
          current = result.result().keys();
          nextMs = result.result().refreshInMs();
        } else {
          nextMs = minRefetchMs; // try again soon, keeping what we have
        }
        if (!first || result.succeeded()) {
          scheduleRefresh(nextMs);
        }
      }
      if (result.succeeded()) {
        done.complete(current);
      } else if (first) {
        done.fail(result.cause());
      } else {
        LOG.warning("jwks fetch failed, keeping the previous keys url=" + url + ": " + result.cause().getMessage());
        done.complete(current);
      }
    });
    return done.future();
  }

  private void scheduleRefresh(long delayMs) {
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    refreshTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      synchronized (this) {
        refreshTimer = -1;
      }
      fetch();
    });
  }

  private record Download(KeySet keys, long refreshInMs) {
  }

  /**
   * The GET, tried twice: an attempt that gets no answer within {@value #FETCH_TIMEOUT_MS} ms (or
   * cannot connect) is repeated once. A request on Vert.x 5.0.10's HTTP client was seen, rarely and
   * only in a cold JVM, never to be answered (TOOLCHAIN.md, the "stranded request"); a stranded
   * fetch would hold unknown kids. An HTTP error or a bad document is not retried.
   */
  private Future<Download> download() {
    Promise<Download> result = Promise.promise();
    context.runOnContext(v -> attempt().recover(failure -> failure instanceof BadAnswer
            ? Future.failedFuture(failure) : attempt()).onComplete(result));
    return result.future();
  }

  /** One GET on a client of its own, closed after (fetches are rare), bounded as a whole. */
  private Future<Download> attempt() {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setTimeout(FETCH_TIMEOUT_MS))
        .compose(request -> request.send())
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.<Download>failedFuture(new BadAnswer("JWKS " + url + " answered HTTP " + response.statusCode()));
          }
          long refreshIn = refreshIn(response.getHeader(HttpHeaders.CACHE_CONTROL));
          return response.body().map(body -> {
            try {
              return new Download(parse(body.toString()), refreshIn);
            } catch (IllegalArgumentException e) {
              throw new BadAnswer(e.getMessage());
            }
          });
        })
        .timeout(FETCH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(done -> client.close());
  }

  /** The provider answered, wrongly: asking again at once would not help. */
  private static final class BadAnswer extends RuntimeException {
    BadAnswer(String message) {
      super(message, null, false, false);
    }
  }

  /** {@code refreshMs}, or sooner when {@code max-age} asks for it, but never below {@code minRefetchMs}. */
  private long refreshIn(String cacheControl) {
    if (cacheControl != null) {
      Matcher m = MAX_AGE.matcher(cacheControl);
      if (m.find() && m.group(1).length() < 10) {
        return Math.max(minRefetchMs, Math.min(refreshMs, Long.parseLong(m.group(1)) * 1000));
      }
    }
    return refreshMs;
  }

  /** A JWKS document into a key set; anything but {@code {"keys":[{…},…]}} is an error. */
  private KeySet parse(String body) {
    JsonArray keys;
    try {
      keys = new JsonObject(body).getJsonArray("keys");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("JWKS " + url + " is not a JSON object with a 'keys' array");
    }
    if (keys == null) {
      throw new IllegalArgumentException("JWKS " + url + " has no 'keys' array");
    }
    List<JsonObject> jwks = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    for (Object key : keys) {
      if (!(key instanceof JsonObject jwk)) {
        throw new IllegalArgumentException("JWKS " + url + " has a key that is not a JSON object");
      }
      jwks.add(jwk);
      if (jwk.getValue("kid") instanceof String kid) {
        kids.add(kid);
      }
    }
    return new KeySet(Set.copyOf(kids), build.apply(jwks));
  }
}
