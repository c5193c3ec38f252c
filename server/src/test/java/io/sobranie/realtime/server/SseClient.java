package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real Server-Sent Events reader over the Vert.x HTTP client: parses the stream into events. */
final class SseClient implements AutoCloseable {
  record Event(String name, String id, String data, boolean comment) {
    JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final HttpClient client;
  private final HttpClientResponse response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final StringBuilder pending = new StringBuilder();
  private String name;
  private String id;
  private final StringBuilder data = new StringBuilder();

  private SseClient(HttpClient client, HttpClientResponse response) {
    this.client = client;
    this.response = response;
  }

  /** Opens {@code /realtime/events?query} (the caller checks the status for refusals). */
  static SseClient open(Vertx vertx, int port, String query, String lastEventId) {
    HttpClient client = vertx.createHttpClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/realtime/events?" + query).addHeader("Accept", "text/event-stream");
    if (lastEventId != null) {
      options.addHeader("Last-Event-ID", lastEventId);
    }
    // The handlers go on the response future before the request is sent: a callback added from
    // this thread after the response came would let its first bytes reach no handler.
    return client.request(options).compose(request -> {
      Future<SseClient> opened = request.response().map(response -> new SseClient(client, response).listen());
      request.end();
      return opened;
    }).await();
  }

  /** A stream: events from here on. (A refusal's body can end before this; tests read refusals with plain requests.) */
  private SseClient listen() {
    try {
      response.handler(this::onBytes);
      response.endHandler(v -> ended.complete(null));
      response.exceptionHandler(e -> ended.complete(null));
    } catch (IllegalStateException alreadyEnded) {
      ended.complete(null);
    }
    return this;
  }

  int status() {
    return response.statusCode();
  }

  private synchronized void onBytes(Buffer bytes) {
    pending.append(bytes.toString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      return;
    }
    int newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      String line = pending.substring(0, newline);
      pending.delete(0, newline + 1);
      if (line.isEmpty()) {
        if (name != null || data.length() > 0) {
          events.add(new Event(name == null ? "message" : name, id, data.toString(), false));
        }
        name = null;
        id = null;
        data.setLength(0);
      } else if (line.startsWith(":")) {
        events.add(new Event(null, null, line.substring(1).trim(), true));
      } else if (line.startsWith("event: ")) {
        name = line.substring(7);
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      } else if (line.startsWith("data: ")) {
        data.append(line.substring(6));
      } else if (line.startsWith("retry: ")) {
        events.add(new Event("retry", null, line.substring(7), false));
      }
    }
  }

  /** The next event, comments included, or null when none comes within {@code timeout}. */
  Event poll(long timeout, TimeUnit unit) {
    try {
      return events.poll(timeout, unit);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The events received and not yet taken, without waiting. */
  List<Event> drain() {
    List<Event> rest = new ArrayList<>();
    events.drainTo(rest);
    return rest;
  }

  /** The body of a refused request (a status other than 200), once it has ended. */
  String refusalBody() {
    awaitEnd();
    synchronized (this) {
      return pending.toString();
    }
  }

  /** The next event, comments included. */
  Event nextAny() {
    return poll(System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.WAIT_SECONDS));
  }

  private Event poll(long deadline) {
    try {
      Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (event == null) {
        fail("no SSE event within " + WsClient.WAIT_SECONDS + " s");
      }
      return event;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The next event that is not a comment (comments do not extend the wait). */
  Event next() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.WAIT_SECONDS);
    Event event = poll(deadline);
    while (event.comment()) {
      event = poll(deadline);
    }
    return event;
  }

  /** The next non-comment event, which must be named {@code name}. */
  Event next(String name) {
    Event event = next();
    assertEquals(name, event.name(), () -> "expected event '" + name + "', got " + event);
    return event;
  }

  /** Reads the opening {@code retry}, {@code connected} and {@code unread_count}; answers the count. */
  long opening() {
    assertEquals("3000", next("retry").data());
    next("connected");
    return next("unread_count").json().getLong("count");
  }

  /** True once the stream has ended (without waiting). */
  boolean hasEnded() {
    return ended.isDone();
  }

  boolean awaitEnd() {
    try {
      ended.get(WsClient.WAIT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    client.close();
  }

  /** Closes the stream and waits until its connection is gone, so no event comes after. */
  void closeAndWait() {
    client.close().await();
  }
}
