package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProtocolClient} reading one SSE stream ({@code /realtime/events}, on {@link SseClient})
 * and acting over REST. It follows a channel as a browser's EventSource would: it closes its
 * stream and opens another listing the channels, with {@code Last-Event-ID} set to the last
 * event it received, so nothing sequenced is lost or repeated in between. (With no cursor yet,
 * a new stream starts its channels from now, as for any SSE client.)
 */
final class SseProtocolClient extends RestActingClient {
  private final Vertx vertx;
  private List<String> channels;
  private SseClient stream;
  /** Events of a closed stream, still to be taken. */
  private final Deque<Received> carried = new ArrayDeque<>();
  private String lastReceivedId;
  private long arrivals;
  private long positionIndex = -1;
  private String position;

  private SseProtocolClient(Vertx vertx, int port, String user, List<String> channels) {
    super(port, user);
    this.vertx = vertx;
    this.channels = List.copyOf(channels);
  }

  /**
   * Opens a stream listing {@code channels} from {@code cursor} (may be null) and takes its
   * {@code retry} and {@code connected}; with {@code opening}, {@code unread_count} too.
   */
  static SseProtocolClient open(Vertx vertx, int port, String user, List<String> channels, String cursor, boolean opening) {
    SseProtocolClient client = new SseProtocolClient(vertx, port, user, channels);
    Reply refused = client.openStream(channels, cursor, opening);
    if (refused != null) {
      fail(user + ": stream refused: " + refused);
    }
    return client;
  }

  /** A stream, or the refusal (as a REST reply) when it did not start. */
  private Reply openStream(List<String> listed, String cursor, boolean opening) {
    String query = "token=" + token + (listed.isEmpty() ? "" : "&channels=" + encode(String.join(",", listed)));
    SseClient opened = SseClient.open(vertx, port, query, cursor);
    if (opened.status() != 200) {
      String body = opened.refusalBody();
      opened.close();
      return new Reply(body.isEmpty() ? new JsonObject() : new JsonObject(body), opened.status(), null, null);
    }
    stream = opened;
    assertEquals("3000", stream.next("retry").data());
    assertEquals(user, stream.next("connected").json().getString("userId"));
    if (opening) {
      stream.next("unread_count");
    }
    return null;
  }

  @Override
  protected Received take(long deadlineNanos) {
    if (!carried.isEmpty()) {
      return carried.removeFirst();
    }
    while (true) {
      SseClient.Event event = stream.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (event == null) {
        return null;
      }
      Received received = received(event);
      if (received != null) {
        return received;
      }
    }
  }

  /** An event as the suite sees it (its JSON, typed by the event name), or null for comments and {@code retry}. */
  private Received received(SseClient.Event event) {
    if (event.comment() || "retry".equals(event.name())) {
      return null;
    }
    JsonObject json = event.json();
    if (!json.containsKey("type")) {
      json.put("type", event.name());
    }
    if (event.id() != null) {
      lastReceivedId = event.id();
    }
    return new Received(json, arrivals++, event.id());
  }

  @Override
  protected void taken(Received event) {
    if (event.cursor() != null && event.index() > positionIndex) {
      positionIndex = event.index();
      position = event.cursor();
    }
  }

  @Override
  public Subscription subscribe(String channel) {
    if (channels.contains(channel)) {
      return Subscription.accepted();
    }
    List<String> wider = new ArrayList<>(channels);
    wider.add(channel);
    stream.closeAndWait();
    for (SseClient.Event event : stream.drain()) {
      Received received = received(event);
      if (received != null) {
        carried.addLast(received);
      }
    }
    Reply refused = openStream(wider, lastReceivedId, true);
    if (refused != null) {
      Reply back = openStream(channels, lastReceivedId, true); // a client keeps what it had
      if (back != null) {
        fail(user + ": the previous stream could not be opened again: " + back);
      }
      return new Subscription(refused, null, null, null);
    }
    channels = List.copyOf(wider);
    return Subscription.accepted();
  }

  @Override
  public Position position() {
    return new CursorPosition(position, channels);
  }

  @Override
  public boolean resumableHere() {
    return true; // every sequenced event carries its own cursor
  }

  @Override
  public void close() {
    stream.close();
    super.close();
  }
}
