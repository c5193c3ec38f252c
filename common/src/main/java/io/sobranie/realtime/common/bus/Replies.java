package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers event-bus requests: a reply on success, the error's code and text on failure.
 *
 * <p>Two ways back. A plain Vert.x request (services outside this repo, {@code bus-client}) gets
 * a Vert.x reply. The gateway instead names its event loop's reply address in {@link #REPLY_TO}
 * and its own number for the request in {@link #CORRELATION} (DESIGN.md: no reply handler or
 * timer registered per request); the answer is sent there with the same number, and a failure
 * carries its {@code "code text"} in {@link #FAILURE}.
 */
public final class Replies {
  /** Header: the address to send the answer to, instead of a Vert.x reply. */
  public static final String REPLY_TO = "realtime-reply-to";
  /** Header: the requester's number for the request, repeated on the answer. */
  public static final String CORRELATION = "realtime-correlation";
  /** Header on an answer: the failure, as {@link RealtimeException#toReplyMessage()}; absent on success. */
  public static final String FAILURE = "realtime-failure";

  private static final Logger LOG = Logger.getLogger(Replies.class.getName());
  private static final DeliveryOptions REPLY = JsonByReference.options();

  private Replies() {
  }

  /**
   * Runs {@code handler} on the request's JSON body and answers with its result. A
   * {@link RealtimeException} (thrown or failed) becomes the answer's failure, read back on the
   * other side by {@link RealtimeException#from} or {@link RealtimeException#fromReplyMessage};
   * anything else is logged and answered {@code internal}. The answer goes by reference within a
   * node ({@link JsonByReference}): the handler builds it for this answer. Call from the
   * consumer's handler (its context names the event bus to answer on).
   */
  public static void handle(Message<JsonObject> request, Function<JsonObject, Future<JsonObject>> handler) {
    String replyTo = request.headers().get(REPLY_TO);
    EventBus bus = replyTo == null ? null : Vertx.currentContext().owner().eventBus();
    Future<JsonObject> reply;
    try {
      if (request.body() == null) {
        throw RealtimeException.badRequest("request body must be a JSON object");
      }
      reply = handler.apply(request.body());
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(result -> {
      RealtimeException error = null;
      if (result.failed()) {
        error = RealtimeException.from(result.cause());
        if (error.code() == ErrorCode.INTERNAL) {
          LOG.log(Level.SEVERE, "request failed address=" + request.address(), result.cause());
        }
      }
      if (bus != null) {
        DeliveryOptions answer = JsonByReference.options().addHeader(CORRELATION, request.headers().get(CORRELATION));
        if (error != null) {
          answer.addHeader(FAILURE, error.toReplyMessage());
        }
        bus.send(replyTo, error == null ? result.result() : new JsonObject(), answer);
      } else if (error == null) {
        request.reply(result.result(), REPLY);
      } else {
        request.fail(error.code().httpStatus(), error.toReplyMessage());
      }
    });
  }
}
