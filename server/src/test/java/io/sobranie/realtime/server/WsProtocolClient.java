package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProtocolClient} over one WebSocket ({@code /realtime/ws}), on {@link WsClient}: every
 * request carries a ref of its own and is answered by the frame echoing it.
 */
final class WsProtocolClient extends QueuedClient {
  private final WsClient socket;
  private final String user;
  /** Per followed channel: its epoch, from the {@code subscribed} answer. */
  private final Map<String, String> epochs = new LinkedHashMap<>();
  /** Per followed channel: the last seq taken by the test (or the seq it was subscribed at). */
  private final Map<String, Long> seqs = new HashMap<>();
  private final List<String> notRecovered = new ArrayList<>();
  private long arrivals;
  private int refs;

  private WsProtocolClient(WsClient socket, String user) {
    this.socket = socket;
    this.user = user;
  }

  /** Opens a socket and takes {@code connected}; with {@code opening}, {@code unread_count} too. */
  static WsProtocolClient open(Vertx vertx, int port, String user, boolean opening) {
    WsProtocolClient client = new WsProtocolClient(WsClient.open(vertx, port, "", ServerTestBase.token(user)), user);
    JsonObject connected = client.next();
    assertEquals("connected", connected.getString("type"), connected::encode);
    assertEquals(user, connected.getString("userId"));
    if (opening) {
      assertEquals("unread_count", client.next().getString("type"));
    }
    return client;
  }

  /** A new socket of the same user, subscribing to each channel of {@code from} with its since and epoch. */
  static WsProtocolClient resume(Vertx vertx, int port, String user, SeqPosition from) {
    WsProtocolClient client = open(vertx, port, user, true);
    from.epochs().forEach((channel, epoch) -> {
      Subscription answer = client.subscribe(channel, from.seqs().get(channel), epoch);
      assertTrue(answer.isAccepted(), () -> "resubscribing to " + channel + ": " + answer.refusal());
    });
    return client;
  }

  @Override
  public String user() {
    return user;
  }

  private String ref() {
    return user + "#" + ++refs;
  }

  @Override
  protected Received take(long deadlineNanos) {
    JsonObject frame = socket.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    return frame == null ? null : new Received(frame, arrivals++, null);
  }

  @Override
  protected void taken(Received event) {
    if ("message".equals(event.type())) {
      seqs.merge(event.json().getString("channel"), event.json().getLong("seq"), Math::max);
    }
  }

  /** Sends {@code frame} with a fresh ref and answers the frame that echoes it. */
  @Override
  public Reply request(JsonObject frame) {
    String ref = ref();
    socket.send(frame.copy().put("ref", ref));
    return Reply.frame(nextMatching(event -> ref.equals(event.getString("ref")), "the answer to " + ref), ref);
  }

  @Override
  public Reply sendBinary(JsonObject header, byte[] payload) {
    String ref = ref();
    Buffer json = header.copy().put("ref", ref).toBuffer();
    socket.sendBinary(Buffer.buffer().appendInt(json.length()).appendBuffer(json).appendBytes(payload));
    return Reply.frame(nextMatching(event -> ref.equals(event.getString("ref")), "the answer to " + ref), ref);
  }

  @Override
  public Buffer nextBinary() {
    return socket.nextBinary();
  }

  @Override
  public Subscription subscribe(String channel) {
    return subscribed(channel, request(ServerTestBase.frame("subscribe").put("channel", channel)), false);
  }

  @Override
  public Subscription subscribe(String channel, long since, String epoch) {
    JsonObject frame = ServerTestBase.frame("subscribe").put("channel", channel).put("since", since);
    if (epoch != null) {
      frame.put("epoch", epoch);
    }
    return subscribed(channel, request(frame), true);
  }

  private Subscription subscribed(String channel, Reply reply, boolean resuming) {
    if (!reply.ok()) {
      return new Subscription(reply, null, null, null);
    }
    JsonObject answer = reply.json();
    assertEquals("subscribed", answer.getString("type"), answer::encode);
    assertEquals(channel, answer.getString("channel"));
    epochs.put(channel, answer.getString("epoch"));
    boolean recovered = answer.getBoolean("recovered");
    if (!resuming || !recovered) {
      seqs.put(channel, answer.getLong("seq")); // no replay comes: live messages follow this seq
    }
    if (resuming && !recovered) {
      notRecovered.add(channel);
    }
    return new Subscription(null, answer.getLong("seq"), answer.getString("epoch"), recovered);
  }

  @Override
  public Reply publish(String channel, Object data, String idem) {
    JsonObject frame = ServerTestBase.frame("message").put("channel", channel).put("data", data);
    if (idem != null) {
      frame.put("idem", idem);
    }
    return request(frame);
  }

  @Override
  public Reply publishRaw(JsonObject fields) {
    return request(fields.copy().put("type", "message"));
  }

  /** Not JSON, so no ref can be echoed: the answer is the next error frame. */
  @Override
  public Reply sendMalformed(String text) {
    socket.sendText(text);
    return Reply.frame(nextMatching(event -> "error".equals(event.getString("type")), "an error"), null);
  }

  @Override
  public void typing(String channel, boolean active) {
    socket.send(ServerTestBase.frame("typing").put("channel", channel).put("active", active));
  }

  @Override
  public Reply typingRefused(String channel, boolean active) {
    return request(ServerTestBase.frame("typing").put("channel", channel).put("active", active));
  }

  @Override
  public void signal(String to, String signal, Object payload) {
    socket.send(signalFrame(to, signal, payload));
  }

  @Override
  public Reply signalRefused(String to, String signal, Object payload) {
    return request(signalFrame(to, signal, payload));
  }

  private static JsonObject signalFrame(String to, String signal, Object payload) {
    return ServerTestBase.frame("signal").put("to", to).put("signal", signal).put("payload", payload);
  }

  @Override
  public Reply presenceOfUsers(List<String> users) {
    return request(ServerTestBase.frame("presence").put("users", new JsonArray(users)));
  }

  @Override
  public Reply presenceOfChannel(String channel) {
    return request(ServerTestBase.frame("presence").put("channel", channel));
  }

  @Override
  public long read(long upTo) {
    Reply reply = request(ServerTestBase.frame("read").put("upTo", upTo));
    assertEquals("unread_count", reply.json().getString("type"), reply::toString);
    return reply.json().getLong("count");
  }

  @Override
  public Position position() {
    Map<String, Long> at = new HashMap<>();
    epochs.keySet().forEach(channel -> at.put(channel, seqs.getOrDefault(channel, 0L)));
    return new SeqPosition(at, new LinkedHashMap<>(epochs));
  }

  @Override
  public boolean resumableHere() {
    return true;
  }

  @Override
  public List<String> notRecovered() {
    return List.copyOf(notRecovered);
  }

  @Override
  public void close() {
    socket.close();
  }
}
