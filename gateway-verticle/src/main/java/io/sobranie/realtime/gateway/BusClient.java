package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.JsonByReference;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The gateway's side of the other services' event-bus APIs; failures come back as {@link RealtimeException}. */
public final class BusClient {
  /** Bodies are built for one request (nothing touches them after), so they go by reference within a node. */
  private static final DeliveryOptions REQUEST = JsonByReference.options().setSendTimeout(10_000);
  private final Vertx vertx;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<Promise<Void>> drainWaiters = new CopyOnWriteArrayList<>();

  BusClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<JsonObject> request(String address, JsonObject body) {
    inFlight.incrementAndGet();
    return vertx.eventBus().<JsonObject>request(address, body, REQUEST)
        .transform(reply -> reply.succeeded()
            ? Future.succeededFuture(reply.result().body())
            : Future.<JsonObject>failedFuture(RealtimeException.from(reply.cause())))
        .andThen(done -> {
          if (inFlight.decrementAndGet() == 0) {
            drainWaiters.forEach(Promise::tryComplete);
          }
        });
  }

  /** Completes once no request is waiting for its reply (graceful shutdown: presence hears of every close). */
  public Future<Void> drained() {
    Promise<Void> promise = Promise.promise();
    drainWaiters.add(promise);
    if (inFlight.get() == 0) {
      promise.tryComplete();
    }
    return promise.future();
  }

}
