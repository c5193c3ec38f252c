package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProtocolClient} over long-polling ({@code /realtime/poll}), acting over REST. It polls
 * on demand: when the test waits for an event and none is buffered, it polls with its cursor
 * (held up to 10 s). A reply's {@code recovered:false} becomes a {@code recovered} event ahead of
 * the reply's events, as SSE sends it. Following a channel is a poll that lists it, held briefly,
 * so the cursor names the channel from then on.
 */
final class PollProtocolClient extends RestActingClient {
  private static final long HOLD_MS = 10_000;
  /**
   * How long a poll that lists a channel anew may wait for an event. Not 0: a poll answered by its
   * timeout before its streams have started returns a cursor that does not name them, and the
   * next poll starts them from then (see {@link ProtocolSuite#pollAnsweredAtOnceLosesNothing}).
   */
  private static final long LISTING_HOLD_MS = 300;
  /** The first poll answers as soon as its streams have started (it has the unread count to tell). */
  private static final long FIRST_HOLD_MS = 5_000;

  private List<String> channels;
  private String cursor;
  private final Deque<Received> buffered = new ArrayDeque<>();
  private long arrivals;

  private PollProtocolClient(int port, String user, List<String> channels, String cursor) {
    super(port, user);
    this.channels = List.copyOf(channels);
    this.cursor = cursor;
  }

  /** The first poll (no cursor): its events are buffered; with {@code opening}, its leading {@code unread_count} is taken. */
  static PollProtocolClient open(int port, String user, List<String> channels, boolean opening) {
    PollProtocolClient client = new PollProtocolClient(port, user, channels, null);
    Reply first = client.poll(client.channels, FIRST_HOLD_MS);
    assertEquals(200, first.status(), first::toString);
    client.keep(first);
    if (opening) {
      assertEquals("unread_count", client.next().getString("type"));
    }
    return client;
  }

  /** A new poll chain of the same user from {@code from}: nothing is polled until the test reads. */
  static PollProtocolClient resume(int port, String user, CursorPosition from) {
    return new PollProtocolClient(port, user, from.channels(), from.cursor());
  }

  private Reply poll(List<String> listed, long timeoutMs) {
    StringBuilder uri = new StringBuilder("/realtime/poll?timeoutMs=").append(timeoutMs);
    if (!listed.isEmpty()) {
      uri.append("&channels=").append(encode(String.join(",", listed)));
    }
    if (cursor != null) {
      uri.append("&cursor=").append(encode(cursor));
    }
    var response = HttpCalls.request(port, HttpMethod.GET, uri.toString(), token, null, timeoutMs);
    return new Reply(response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body()), response.status(), null,
        response.headers().get("retry-after"));
  }

  /** Buffers a reply's events; its cursor goes with the last of them (and becomes the client's). */
  private void keep(Reply reply) {
    JsonObject body = reply.json();
    List<JsonObject> events = new ArrayList<>();
    if (Boolean.FALSE.equals(body.getBoolean("recovered"))) {
      events.add(new JsonObject().put("type", "recovered").put("recovered", false)
          .put("channels", body.getJsonArray("channels", new JsonArray())));
    }
    body.getJsonArray("events").forEach(event -> events.add((JsonObject) event));
    cursor = body.getString("cursor");
    for (int i = 0; i < events.size(); i++) {
      buffered.addLast(new Received(events.get(i), arrivals++, i == events.size() - 1 ? cursor : null));
    }
  }

  @Override
  protected Received take(long deadlineNanos) {
    while (buffered.isEmpty()) {
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (remainingMs <= 0) {
        return null;
      }
      Reply reply = poll(channels, Math.min(HOLD_MS, remainingMs));
      assertEquals(200, reply.status(), reply::toString);
      keep(reply);
    }
    return buffered.removeFirst();
  }

  @Override
  public Subscription subscribe(String channel) {
    if (channels.contains(channel)) {
      return Subscription.accepted();
    }
    List<String> wider = new ArrayList<>(channels);
    wider.add(channel);
    Reply reply = poll(wider, LISTING_HOLD_MS);
    if (!reply.ok()) {
      return new Subscription(reply, null, null, null);
    }
    keep(reply);
    channels = List.copyOf(wider);
    return Subscription.accepted();
  }

  /** The cursor of the last reply: where this client stands once its events are all taken. */
  @Override
  public Position position() {
    assertTrue(resumableHere(), "a poll client resumes after a whole reply");
    return new CursorPosition(cursor, channels);
  }

  @Override
  public boolean resumableHere() {
    return buffered.isEmpty();
  }
}
