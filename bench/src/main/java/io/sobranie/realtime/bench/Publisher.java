package io.sobranie.realtime.bench;

import io.sobranie.realtime.common.auth.DevTokens;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service publishing on one channel through {@code POST /realtime/publish} at a fixed rate,
 * message numbers 0, 1, 2 … with the send time (this process's {@code System.nanoTime}) in the
 * data. Runs on one tool event loop; the REST publish is not subject to the per-user rate limit.
 */
final class Publisher {
  private final Context loop;
  private final HttpClient http;
  private final String uri;
  private final String token;
  private final String prefix;
  private final Map<Integer, Integer> statuses = new TreeMap<>();
  private int accepted;
  private int answered;

  Publisher(Context loop, Options options, String channel) {
    this.loop = loop;
    this.http = loop.owner().createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(16));
    this.uri = options.httpBase() + "/realtime/publish";
    this.token = DevTokens.mint(options.secret(), options.userPrefix() + "publisher", 86_400, List.of("service"));
    this.prefix = "{\"channel\":\"" + channel + "\",\"data\":{\"bn\":";
  }

  /** Publishes {@code count} messages numbered from {@code firstNumber} at {@code rate}/s; completes when every request is answered (each bounded to 10 s). */
  Future<JsonObject> run(double rate, int count, long firstNumber) {
    Promise<JsonObject> done = Promise.promise();
    loop.runOnContext(v -> {
      accepted = 0;
      answered = 0;
      statuses.clear();
      Pacer pacer = new Pacer(rate, count);
      long[] next = {firstNumber};
      long started = System.nanoTime();
      if (count == 0) {
        done.complete(result(0, started));
        return;
      }
      loop.owner().setPeriodic(Pacer.tickMs(rate), id -> {
        for (int due = pacer.due(); due > 0; due--) {
          publish(next[0]++, count, started, done);
        }
        if (pacer.done()) {
          loop.owner().cancelTimer(id);
        }
      });
    });
    return done.future();
  }

  private void publish(long number, int count, long started, Promise<JsonObject> done) {
    String body = prefix + number + ",\"bt\":" + System.nanoTime() + "}}";
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri).setTimeout(10_000)
            .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          int status = ar.succeeded() ? ar.result() : -1;
          statuses.merge(status, 1, Integer::sum);
          if (status == 200) {
            accepted++;
          }
          if (++answered == count) {
            done.complete(result(count, started));
          }
        });
  }

  private JsonObject result(int count, long started) {
    JsonObject byStatus = new JsonObject();
    statuses.forEach((s, n) -> byStatus.put(String.valueOf(s), n));
    return new JsonObject().put("published", count).put("accepted", accepted)
        .put("seconds", Fleet.round((System.nanoTime() - started) / 1e9)).put("statuses", byStatus);
  }

  Future<Void> close() {
    return http.close();
  }
}
