package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.bus.JsonByReference;
import io.sobranie.realtime.common.bus.Replies;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One gateway event loop's way to ask the services: its own reply address, registered once at
 * start, and the requests waiting on it by number (DESIGN.md: no reply handler or timer
 * registered per request; Vert.x's request/reply registers both every time). Answers come back
 * through {@link Replies}. One periodic sweep fails what waited past the timeout. Touched only on
 * its event loop's thread, so it needs no locks.
 */
final class ReplyLane {
  private static final Logger LOG = Logger.getLogger(ReplyLane.class.getName());
  private static final long SWEEP_MS = 1_000;

  private final Context context;
  private final long timeoutMs;
  private final String address = "realtime.reply." + Ids.unique("lane-");
  /** Oldest first: with one timeout for all, the first entry is the next to expire. */
  private final Map<Long, Waiting> waiting = new LinkedHashMap<>();
  private MessageConsumer<JsonObject> consumer;
  private long sweeper;
  private long lastNumber;

  private record Waiting(Promise<JsonObject> answer, long deadline, String address) {
  }

  private ReplyLane(Context context, long timeoutMs) {
    this.context = context;
    this.timeoutMs = timeoutMs;
  }

  /** Opens a lane for {@code context}'s event loop; call on that context. Answers once the address is registered (cluster-wide). */
  static Future<ReplyLane> open(Context context, long timeoutMs) {
    ReplyLane lane = new ReplyLane(context, timeoutMs);
    lane.consumer = context.owner().eventBus().consumer(lane.address, lane::onAnswer);
    lane.sweeper = context.owner().setPeriodic(SWEEP_MS, id -> lane.sweep(System.currentTimeMillis()));
    return lane.consumer.completion().map(lane);
  }

  Context context() {
    return context;
  }

  /** Sends {@code body} to {@code target} with this lane's address; on the lane's thread only. */
  Future<JsonObject> request(String target, JsonObject body) {
    long number = ++lastNumber;
    Promise<JsonObject> answer = Promise.promise();
    waiting.put(number, new Waiting(answer, System.currentTimeMillis() + timeoutMs, target));
    DeliveryOptions options = JsonByReference.options()
        .addHeader(Replies.REPLY_TO, address)
        .addHeader(Replies.CORRELATION, Long.toString(number));
    context.owner().eventBus().sender(target, options).write(body).onFailure(failure -> {
      // Nobody registered (or the node it was sent to is unreachable): no answer will come.
      Waiting gone = waiting.remove(number);
      if (gone != null) {
        gone.answer().fail(failure instanceof ReplyException ? RealtimeException.from(failure) : RealtimeException.unavailable());
      }
    });
    return answer.future();
  }

  private void onAnswer(Message<JsonObject> message) {
    Waiting asked = waiting.remove(number(message.headers().get(Replies.CORRELATION)));
    if (asked == null) {
      LOG.log(Level.FINE, () -> "answer after the timeout, or not ours: dropped from " + message.headers());
      return;
    }
    String failure = message.headers().get(Replies.FAILURE);
    if (failure == null) {
      asked.answer().complete(message.body());
    } else {
      asked.answer().fail(RealtimeException.fromReplyMessage(failure));
    }
  }

  private static long number(String header) {
    try {
      return header == null ? 0 : Long.parseLong(header);
    } catch (NumberFormatException notOurs) {
      return 0;
    }
  }

  /** Fails every request whose deadline has passed (their callbacks may send again: collected first). */
  void sweep(long now) {
    List<Waiting> expired = new ArrayList<>();
    for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
      Waiting next = it.next();
      if (next.deadline() > now) {
        break;
      }
      it.remove();
      expired.add(next);
    }
    for (Waiting late : expired) {
      LOG.log(Level.FINE, () -> "no answer within " + timeoutMs + " ms from " + late.address());
      late.answer().fail(RealtimeException.unavailable());
    }
  }

  /** Stops answering: what still waits fails as unavailable (the gateway drained its requests before). */
  Future<Void> close() {
    context.owner().cancelTimer(sweeper);
    sweep(Long.MAX_VALUE);
    return consumer.unregister();
  }
}
