package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The reading side every {@link ProtocolClient} shares: events in arrival order from the
 * transport, a queue of those passed over, and a hook that sees each event the test takes (so a
 * client knows its position).
 */
abstract class QueuedClient implements ProtocolClient {
  static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(WsClient.WAIT_SECONDS);

  /**
   * An event as received. {@code index} counts arrivals; {@code cursor} is where a resume from
   * right after this event starts (an SSE {@code id:}, the cursor of the poll reply it ends), or null.
   */
  record Received(JsonObject json, long index, String cursor) {
    String type() {
      return json.getString("type");
    }
  }

  private final Deque<Received> skipped = new ArrayDeque<>();

  /** The next event from the transport, or null once {@code deadlineNanos} (a {@link System#nanoTime()}) passes. */
  protected abstract Received take(long deadlineNanos);

  /** Sees every event handed to the test. */
  protected void taken(Received event) {
  }

  @Override
  public JsonObject next() {
    Received event = skipped.pollFirst();
    if (event == null) {
      event = take(System.nanoTime() + WAIT_NANOS);
      if (event == null) {
        fail(user() + ": no event within " + WsClient.WAIT_SECONDS + " s");
      }
    }
    taken(event);
    return event.json();
  }

  @Override
  public JsonObject nextOf(String... types) {
    List<String> wanted = Arrays.asList(types);
    return nextMatching(event -> wanted.contains(event.getString("type")), "an event of " + wanted);
  }

  /**
   * The first event that {@code wanted} accepts; others stay queued. An {@code error} or
   * {@code recovered} event that is not wanted fails the test: nothing the suite waits past may be one.
   */
  protected JsonObject nextMatching(Predicate<JsonObject> wanted, String what) {
    for (Iterator<Received> it = skipped.iterator(); it.hasNext(); ) {
      Received event = it.next();
      if (wanted.test(event.json())) {
        it.remove();
        taken(event);
        return event.json();
      }
    }
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (true) {
      Received event = take(deadline);
      if (event == null) {
        fail(user() + ": no " + what + " within " + WsClient.WAIT_SECONDS + " s; passed over: "
            + skipped.stream().map(Received::type).toList());
      }
      if (wanted.test(event.json())) {
        taken(event);
        return event.json();
      }
      if ("error".equals(event.type()) || "recovered".equals(event.type())) {
        fail(user() + ": expected " + what + ", got " + event.json().encode());
      }
      skipped.addLast(event);
    }
  }

  /** The SSE and long-poll form: a {@code recovered:false} notice, which must come before any message. */
  @Override
  public List<String> notRecovered() {
    JsonObject event = nextOf("recovered", "message");
    if (!"recovered".equals(event.getString("type"))) {
      fail(user() + ": expected recovered:false before any message, got " + event.encode());
    }
    if (!Boolean.FALSE.equals(event.getBoolean("recovered"))) {
      fail(user() + ": a recovered event says recovered:false, got " + event.encode());
    }
    return event.getJsonArray("channels", new JsonArray()).stream().map(String::valueOf).toList();
  }
}
