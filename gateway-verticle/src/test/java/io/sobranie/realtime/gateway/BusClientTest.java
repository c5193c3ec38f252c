package io.sobranie.realtime.gateway;

import static io.sobranie.realtime.gateway.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.Codecs;
import io.sobranie.realtime.common.bus.Replies;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's requests to the services on a real Vert.x event bus: made on a loop with a reply
 * lane they carry its address and a number, not a Vert.x reply address (no reply handler or timer
 * per request, DESIGN.md); answers, failures, a missing service and a silent one come back as
 * with Vert.x's request/reply; requests made elsewhere stay plain Vert.x requests.
 */
class BusClientTest {
  private static final String ECHO = "test.echo";
  private static final String REFUSE = "test.refuse";
  private static final String SILENT = "test.silent";
  /** Every request the services got, as it arrived. */
  private final List<Message<JsonObject>> received = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private Context loop;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Codecs.register(vertx);
    Context services = TestGateway.newEventLoop(vertx);
    Promise<Void> registered = Promise.promise();
    services.runOnContext(v -> Future.all(
            vertx.eventBus().<JsonObject>consumer(ECHO, request -> {
              received.add(request);
              Replies.handle(request, body -> Future.succeededFuture(new JsonObject().put("echo", body.getValue("say"))));
            }).completion(),
            vertx.eventBus().<JsonObject>consumer(REFUSE, request -> Replies.handle(request,
                body -> Future.failedFuture(RealtimeException.forbidden("not yours")))).completion(),
            vertx.eventBus().<JsonObject>consumer(SILENT, received::add).completion())
        .<Void>mapEmpty().onComplete(registered));
    await(registered.future());
    loop = TestGateway.newEventLoop(vertx);
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  /** A client with a lane on {@link #loop}. */
  private BusClient withLane(long timeoutMs) {
    BusClient bus = new BusClient(vertx, timeoutMs);
    await(onLoop(() -> bus.openLane(loop)));
    return bus;
  }

  /** Runs {@code action} on {@link #loop}, as a session would. */
  private <T> Future<T> onLoop(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    loop.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  private static RealtimeException failure(Future<?> future) {
    Throwable thrown = assertThrows(Throwable.class, () -> await(future));
    Throwable cause = thrown instanceof RealtimeException ? thrown : thrown.getCause();
    assertTrue(cause instanceof RealtimeException, "failed with " + thrown);
    return (RealtimeException) cause;
  }

  @Test
  void answersComeBackToTheLoopsOwnAddressByNumber() {
    BusClient bus = withLane(10_000);
    List<Thread> answeredOn = new CopyOnWriteArrayList<>();
    JsonObject first = await(onLoop(() -> bus.request(ECHO, new JsonObject().put("say", "one"))
        .andThen(done -> answeredOn.add(Thread.currentThread()))));
    JsonObject second = await(onLoop(() -> bus.request(ECHO, new JsonObject().put("say", "two"))));

    assertEquals("one", first.getString("echo"));
    assertEquals("two", second.getString("echo"));
    Message<JsonObject> request = received.get(0);
    assertNull(request.replyAddress(), "no Vert.x reply address, so no reply handler or timer was registered");
    String lane = request.headers().get(Replies.REPLY_TO);
    assertTrue(lane.startsWith("realtime.reply."), lane);
    assertEquals(lane, received.get(1).headers().get(Replies.REPLY_TO), "one address for every request of the loop");
    assertEquals(List.of("1", "2"), received.stream().map(m -> m.headers().get(Replies.CORRELATION)).toList());
    Thread loopThread = await(onLoop(() -> Future.succeededFuture(Thread.currentThread())));
    assertSame(loopThread, answeredOn.get(0), "the answer is handled on the loop that asked");
  }

  @Test
  void aServicesRefusalKeepsItsCodeAndText() {
    BusClient bus = withLane(10_000);
    RealtimeException error = failure(onLoop(() -> bus.request(REFUSE, new JsonObject())));
    assertEquals(ErrorCode.FORBIDDEN, error.code());
    assertEquals("not yours", error.getMessage());
  }

  @Test
  void noServiceRegisteredFailsAtOnceNotAfterTheTimeout() {
    BusClient bus = withLane(600_000); // a timeout far past the test's wait: only the send's own failure can end it
    RealtimeException error = failure(onLoop(() -> bus.request("test.nobody", new JsonObject())));
    assertEquals(ErrorCode.UNAVAILABLE, error.code());
  }

  @Test
  void aSilentServiceTimesOutAndItsLateAnswerIsDropped() {
    BusClient bus = withLane(300);
    RealtimeException error = failure(onLoop(() -> bus.request(SILENT, new JsonObject())));
    assertEquals(ErrorCode.UNAVAILABLE, error.code());

    // The answer comes after all; the lane drops it and carries on.
    Message<JsonObject> late = received.get(0);
    vertx.eventBus().send(late.headers().get(Replies.REPLY_TO), new JsonObject().put("echo", "late"),
        new DeliveryOptions().addHeader(Replies.CORRELATION, late.headers().get(Replies.CORRELATION)));
    assertEquals("after", await(onLoop(() -> bus.request(ECHO, new JsonObject().put("say", "after")))).getString("echo"));
  }

  @Test
  void aTimedOutRequestsCallbackMaySendAgainAtOnce() {
    BusClient bus = withLane(300);
    JsonObject retried = await(onLoop(() -> bus.request(SILENT, new JsonObject())
        .recover(timedOut -> bus.request(ECHO, new JsonObject().put("say", "retry")))));
    assertEquals("retry", retried.getString("echo"));
  }

  @Test
  void requestsOffTheLanesAreVertxRequests() {
    BusClient bus = withLane(10_000);
    assertEquals("worker", await(bus.request(ECHO, new JsonObject().put("say", "worker"))).getString("echo"));
    assertNotNull(received.get(0).replyAddress(), "made on a thread without a lane");
    assertNull(received.get(0).headers().get(Replies.REPLY_TO));

    await(bus.closeLane(loop));
    assertEquals("closed", await(onLoop(() -> bus.request(ECHO, new JsonObject().put("say", "closed")))).getString("echo"));
    assertNotNull(received.get(1).replyAddress(), "a closed lane's loop makes plain requests");
  }

  @Test
  void drainedWaitsForLaneRequests() {
    BusClient bus = withLane(600_000);
    Future<JsonObject> waiting = onLoop(() -> bus.request(SILENT, new JsonObject()));
    long deadline = System.currentTimeMillis() + TestGateway.WAIT_SECONDS * 1000L;
    while (received.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, received.size(), "the request reached the service");
    Future<Void> drained = bus.drained();
    assertFalse(drained.isComplete(), "a request is out");
    Message<JsonObject> request = received.get(0);
    vertx.eventBus().send(request.headers().get(Replies.REPLY_TO), new JsonObject(),
        new DeliveryOptions().addHeader(Replies.CORRELATION, request.headers().get(Replies.CORRELATION)));
    await(drained);
    await(waiting);
  }
}
