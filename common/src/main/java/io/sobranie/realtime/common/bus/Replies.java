package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Answers event-bus requests: a reply on success, the error's code and text on failure. */
public final class Replies {
  private static final Logger LOG = Logger.getLogger(Replies.class.getName());
  private static final DeliveryOptions REPLY = JsonByReference.options();

  private Replies() {
  }

  /**
   * Runs {@code handler} on the request's JSON body and replies with its result. A
   * {@link RealtimeException} (thrown or failed) becomes the reply's failure, read back on the
   * other side by {@link RealtimeException#from}; anything else is logged and answered {@code internal}.
   * The reply goes by reference within a node ({@link JsonByReference}): the handler builds it for this reply.
   */
  public static void handle(Message<JsonObject> request, Function<JsonObject, Future<JsonObject>> handler) {
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
      if (result.succeeded()) {
        request.reply(result.result(), REPLY);
      } else {
        RealtimeException error = RealtimeException.from(result.cause());
        if (error.code() == ErrorCode.INTERNAL) {
          LOG.log(Level.SEVERE, "request failed address=" + request.address(), result.cause());
        }
        request.fail(error.code().httpStatus(), error.toReplyMessage());
      }
    });
  }
}
