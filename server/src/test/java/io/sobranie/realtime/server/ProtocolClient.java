package io.sobranie.realtime.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * One client of the server as PROTOCOL.md describes it, whatever its transport ({@link
 * ProtocolTransport}): it follows channels, acts (publish, typing, signal, presence, read) and
 * reads the events the server sends it, in arrival order. A WebSocket does all of it over its
 * socket; an SSE or long-poll client reads its stream and acts over REST, as such clients do.
 * The {@link ProtocolSuite} states each rule once against this interface.
 */
interface ProtocolClient extends AutoCloseable {

  /**
   * How the server answered a request: a WebSocket answer frame ({@code status} 0) or a REST
   * response (its status, JSON body, and {@code Retry-After} header).
   *
   * @param sentRef the {@code ref} the request carried (WebSocket), which an answer must echo
   */
  record Reply(JsonObject json, int status, String sentRef, String retryAfterHeader) {
    static Reply frame(JsonObject frame, String sentRef) {
      return new Reply(frame, 0, sentRef, null);
    }

    boolean overHttp() {
      return status != 0;
    }

    boolean ok() {
      return overHttp() ? status / 100 == 2 : !"error".equals(json.getString("type"));
    }

    /** The error: the WebSocket {@code error} frame, or the REST body's {@code error} object. */
    JsonObject error() {
      return overHttp() ? json.getJsonObject("error", new JsonObject()) : json;
    }

    @Override
    public String toString() {
      return (overHttp() ? "HTTP " + status + " " : "") + json.encode();
    }
  }

  /**
   * The answer to following a channel. {@code refusal} is null when it was accepted; {@code seq},
   * {@code epoch} and {@code recovered} are what the transport tells at that point (a WebSocket's
   * {@code subscribed}), null where it tells nothing then (SSE and long-poll say
   * {@code recovered:false} with an event of their stream, and nothing when all is recovered).
   */
  record Subscription(Reply refusal, Long seq, String epoch, Boolean recovered) {
    static Subscription accepted() {
      return new Subscription(null, null, null, null);
    }

    boolean isAccepted() {
      return refusal == null;
    }
  }

  /** Where a client stands in its streams, for a new connection to resume from. */
  sealed interface Position permits SeqPosition, CursorPosition {
  }

  /** A WebSocket's: the last seq seen per channel and each channel's epoch (from its {@code subscribed}). */
  record SeqPosition(Map<String, Long> seqs, Map<String, String> epochs) implements Position {
  }

  /** An SSE or long-poll client's: the opaque cursor and the channels its stream lists. */
  record CursorPosition(String cursor, List<String> channels) implements Position {
  }

  String user();

  /** Follows a channel: a WebSocket {@code subscribe}; SSE and long-poll reopen their stream listing it. */
  Subscription subscribe(String channel);

  /** A message to a channel: the ack, or the refusal. */
  Reply publish(String channel, Object data, String idem);

  default Reply publish(String channel, Object data) {
    return publish(channel, data, null);
  }

  /** A message request carrying exactly {@code fields} (WebSocket adds its type and ref): for bad input. */
  Reply publishRaw(JsonObject fields);

  /** Text that is not JSON where a message request is expected. */
  Reply sendMalformed(String text);

  /** Typing, which must be accepted (a WebSocket gives no answer; REST answers 204). */
  void typing(String channel, boolean active);

  /** Typing that must be refused: the refusal. */
  Reply typingRefused(String channel, boolean active);

  /** A signal, which must be accepted (a WebSocket gives no answer; REST answers 204). */
  void signal(String to, String signal, Object payload);

  /** A signal that must be refused: the refusal. */
  Reply signalRefused(String to, String signal, Object payload);

  /** Presence of users: {@code presence_state} over WebSocket, {@code GET /realtime/presence?users=} otherwise. */
  Reply presenceOfUsers(List<String> users);

  /** Who follows a channel now: {@code presence {channel}} or {@code GET /realtime/presence/{channel}}. */
  Reply presenceOfChannel(String channel);

  /** Marks notifications read up to {@code upTo}: the unread count the server answers. */
  long read(long upTo);

  /** The next event in arrival order (events passed over by {@link #nextOf} first); fails after 10 s. */
  JsonObject next();

  /**
   * The first event of one of {@code types}. Others met on the way stay queued, in order, for later
   * calls; an {@code error} or a {@code recovered} event met on the way fails the test.
   */
  JsonObject nextOf(String... types);

  default JsonObject next(String type) {
    return nextOf(type);
  }

  /** Where this client stands after the events taken so far. */
  Position position();

  /** True when {@link #position()} stands right after the last event taken (a poll resumes per reply). */
  boolean resumableHere();

  /**
   * The channels this client, resumed from a position, was told it could not recover: a WebSocket's
   * {@code subscribed} with {@code recovered:false}; the SSE {@code recovered} event or the poll
   * reply's {@code recovered:false}, which must come before any message.
   */
  List<String> notRecovered();

  /** WebSocket only: any request frame (its ref added), answered by its reply. */
  default Reply request(JsonObject frame) {
    throw new UnsupportedOperationException("only a WebSocket sends frames");
  }

  /** WebSocket only: a binary frame ({@code [length][header JSON][payload]}), its ref put in the header; the ack or refusal. */
  default Reply sendBinary(JsonObject header, byte[] payload) {
    throw new UnsupportedOperationException("only a WebSocket sends binary frames");
  }

  /** WebSocket only: the next binary frame relayed to this client; fails after 10 s. */
  default Buffer nextBinary() {
    throw new UnsupportedOperationException("only a WebSocket receives binary frames");
  }

  /** WebSocket only: subscribe with {@code since} and an {@code epoch} of the client's choosing. */
  default Subscription subscribe(String channel, long since, String epoch) {
    throw new UnsupportedOperationException("only a WebSocket states since and epoch");
  }

  @Override
  void close();
}
