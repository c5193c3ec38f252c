package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.JsonByReference;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's side of the other services' event-bus APIs; failures come back as {@link RealtimeException}.
 * A request made on a gateway event loop goes through that loop's {@link ReplyLane}; one made
 * elsewhere (a worker, a thread of no gateway loop) is a plain Vert.x request. Either way it
 * fails as unavailable when no service answers within the timeout.
 */
public final class BusClient {
  static final long TIMEOUT_MS = 10_000;
  private final Vertx vertx;
  private final long timeoutMs;
  /** Bodies are built for one request (nothing touches them after), so they go by reference within a node. */
  private final DeliveryOptions plainRequest;
  private final Map<Thread, ReplyLane> lanes = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<Promise<Void>> drainWaiters = new CopyOnWriteArrayList<>();

  BusClient(Vertx vertx) {
    this(vertx, TIMEOUT_MS);
  }

  BusClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.plainRequest = JsonByReference.options().setSendTimeout(timeoutMs);
  }

  /**
   * Gives the event loop of {@code context} a reply lane (call on that context); a loop that has
   * one keeps it. Answers once requests made on that loop can use it.
   */
  Future<Void> openLane(Context context) {
    Thread loop = Thread.currentThread();
    if (lanes.containsKey(loop)) {
      return Future.succeededFuture();
    }
    return ReplyLane.open(context, timeoutMs).compose(lane ->
        lanes.putIfAbsent(loop, lane) == null ? Future.succeededFuture() : lane.close());
  }

  /** Closes the lane that {@code context} opened, if it did; later requests on its loop are plain ones. */
  Future<Void> closeLane(Context context) {
    Promise<Void> closed = Promise.promise();
    context.runOnContext(v -> {
      Thread loop = Thread.currentThread();
      ReplyLane lane = lanes.get(loop);
      if (lane == null || lane.context() != context) {
        closed.complete();
        return;
      }
      lanes.remove(loop);
      lane.close().onComplete(closed);
    });
    return closed.future();
  }

  public Future<JsonObject> request(String address, JsonObject body) {
    inFlight.incrementAndGet();
    ReplyLane lane = lanes.get(Thread.currentThread());
    Future<JsonObject> answer = lane != null
        ? lane.request(address, body)
        : vertx.eventBus().<JsonObject>request(address, body, plainRequest)
            .transform(reply -> reply.succeeded()
                ? Future.succeededFuture(reply.result().body())
                : Future.failedFuture(RealtimeException.from(reply.cause())));
    return answer.andThen(done -> {
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
