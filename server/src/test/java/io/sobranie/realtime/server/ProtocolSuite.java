package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.ProtocolTransport.WEBSOCKET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sobranie.realtime.server.ProtocolClient.Position;
import io.sobranie.realtime.server.ProtocolClient.Reply;
import io.sobranie.realtime.server.ProtocolClient.Subscription;
import io.sobranie.realtime.server.ServerTestBase.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The client protocol (PROTOCOL.md, and docs/protocol.md section 9 where the contract is silent),
 * one test per rule, black-box: real sockets and HTTP only. Each subclass runs it on one
 * transport ({@link ProtocolTransport}) and one deployment ({@link ProtocolDeployment}):
 * embedded, or two clustered nodes sharing Redis, where the client under test is on node A
 * ({@link #home}) and its peers, publishers and services on node B ({@link #peer}).
 *
 * <p>The deployment is started once per class; every test uses users and channels of its own
 * (suffixed with the test's run id), so tests do not see each other. A rule a transport cannot
 * exercise is skipped with the reason (an assumption), never silently. "X does not happen" is
 * proven with a sentinel sent after X on the same path: the next event is the sentinel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProtocolSuite {
  /** Messages per user per minute: low enough for the rate limit rule, every other test stays below it. */
  static final int BUDGET = 40;
  static final long GRACE_MS = 500;
  static final int SMALL_HISTORY = 5;
  private static final Map<String, Integer> HTTP_STATUS = Map.of("bad_request", 400, "unauthorized", 401,
      "forbidden", 403, "not_found", 404, "rate_limited", 429);
  private static final AtomicInteger RUNS = new AtomicInteger();

  private ProtocolDeployment deployment;
  private Vertx vertx;
  private final List<ProtocolClient> clients = new ArrayList<>();
  private String run;

  protected abstract ProtocolTransport transport();

  protected abstract ProtocolDeployment deploy(Map<String, String> settings);

  /** The settings every deployment of the suite runs with. */
  static Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    settings.put("MESSAGES_PER_MINUTE", String.valueOf(BUDGET));
    settings.put("SIGNALS_PER_MINUTE", "100000");
    settings.put("PRESENCE_GRACE_MS", String.valueOf(GRACE_MS));
    settings.put("CHANNELS", "{\"small\":{\"subscribe\":\"any\",\"publish\":\"any\",\"historySize\":" + SMALL_HISTORY + "}}");
    return settings;
  }

  @BeforeAll
  void deploy() {
    vertx = Vertx.vertx();
    deployment = deploy(settings());
  }

  @AfterAll
  void undeploy() {
    vertx.close().await();
    deployment.close();
  }

  @BeforeEach
  void newRun() {
    run = "r" + RUNS.incrementAndGet();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(ProtocolClient::close);
    clients.clear();
  }

  // ---- names, clients, services ----

  /** A user of this test only. */
  String user(String name) {
    return name + "-" + run;
  }

  /** A chat room of this test only. */
  String chat(String room) {
    return "chat:" + room + "-" + run;
  }

  int home() {
    return deployment.home();
  }

  int peer() {
    return deployment.peer();
  }

  private <C extends ProtocolClient> C kept(C client) {
    clients.add(client);
    return client;
  }

  /** A client of {@code user} on the transport under test, at node {@code port}, opening taken, following {@code channels}. */
  ProtocolClient client(int port, String user, String... channels) {
    return connection(transport(), port, user, channels);
  }

  ProtocolClient connection(ProtocolTransport on, int port, String user, String... channels) {
    return kept(on.open(vertx, port, user, List.of(channels), true));
  }

  /** A client whose opening is left to read: {@code unread_count}, then the offline queue. */
  ProtocolClient opened(int port, String user) {
    return kept(transport().open(vertx, port, user, List.of(), false));
  }

  ProtocolClient resumed(int port, String user, Position from) {
    return kept(transport().resume(vertx, port, user, from));
  }

  /** The transport for clients that must be connections of their user (presence): a poll is not one. */
  ProtocolTransport connectionTransport() {
    return transport().isConnection() ? transport() : WEBSOCKET;
  }

  /** A service's {@code POST /realtime/send}: a notification for {@code user}; answers {id, seq}. */
  JsonObject notify(int port, String user, String kind, Object data) {
    Response response = HttpCalls.request(port, HttpMethod.POST, "/realtime/send", ServerTestBase.token("notifier", "service"),
        new JsonObject().put("userId", user).put("kind", kind).put("data", data).encode());
    assertEquals(202, response.status(), response.body());
    return response.json();
  }

  /** A service's {@code POST /realtime/publish} to a channel; answers {channel, seq, id}. */
  JsonObject servicePublish(int port, String channel, Object data) {
    Response response = HttpCalls.request(port, HttpMethod.POST, "/realtime/publish", ServerTestBase.token("feed", "service"),
        new JsonObject().put("channel", channel).put("data", data).encode());
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  /** The presence of one user as {@code GET /realtime/presence} tells it on node {@code port}. */
  JsonObject presenceOf(int port, String user) {
    Response response = HttpCalls.request(port, HttpMethod.GET, "/realtime/presence?users=" + user, ServerTestBase.token("observer"), null);
    assertEquals(200, response.status(), response.body());
    return response.json().getJsonArray("users").getJsonObject(0);
  }

  /** Asks until {@code done} holds (bounded: 10 s): for state the server reaches asynchronously. */
  static <T> T eventually(Supplier<T> ask, Predicate<T> done, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.WAIT_SECONDS);
    T last = ask.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        fail(what + " did not happen within " + WsClient.WAIT_SECONDS + " s; last: " + last);
      }
      pause(20);
      last = ask.get();
    }
    return last;
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  // ---- assertions ----

  /** A refusal with {@code code}: the WebSocket error echoing the request's ref, or the REST status and error body. */
  static void assertRefused(Reply reply, String code) {
    assertNotNull(reply, "expected a refusal " + code);
    assertFalse(reply.ok(), () -> "expected " + code + ", got " + reply);
    JsonObject error = reply.error();
    assertEquals(code, error.getString("code"), reply::toString);
    assertFalse(error.getString("message", "").isBlank(), () -> "an error has a message: " + reply);
    if (reply.overHttp()) {
      assertEquals(HTTP_STATUS.get(code), reply.status(), reply::toString);
    } else {
      assertEquals("error", error.getString("type"), reply::toString);
      if (reply.sentRef() != null) {
        assertEquals(reply.sentRef(), error.getString("ref"), () -> "the error echoes the request's ref: " + reply);
      }
    }
    if (code.equals("rate_limited")) {
      assertTrue(error.getLong("retryAfterMs", 0L) > 0, () -> "retryAfterMs: " + reply);
      if (reply.overHttp()) {
        assertNotNull(reply.retryAfterHeader(), "429 carries Retry-After");
        assertTrue(Long.parseLong(reply.retryAfterHeader()) >= 1, reply.retryAfterHeader());
      }
    }
  }

  static void assertAccepted(Subscription answer, String channel) {
    assertTrue(answer.isAccepted(), () -> "subscribing to " + channel + " was refused: " + answer.refusal());
  }

  static JsonObject assertAcked(Reply reply) {
    assertTrue(reply.ok(), () -> "expected an ack, got " + reply);
    JsonObject ack = reply.json();
    if (!reply.overHttp()) {
      assertEquals("ack", ack.getString("type"), ack::encode);
      assertEquals(reply.sentRef(), ack.getString("ref"), "the ack echoes the request's ref");
    }
    return ack;
  }

  static void assertMessage(JsonObject event, String channel, long seq, String from, Object data) {
    assertEquals("message", event.getString("type"), event::encode);
    assertEquals(channel, event.getString("channel"), event::encode);
    assertEquals(seq, event.getLong("seq"), event::encode);
    assertEquals(from, event.getString("from"), event::encode);
    assertEquals(data, event.getValue("data"), event::encode);
  }

  static void assertPresence(JsonObject event, String user, String status, String channel) {
    assertEquals("presence", event.getString("type"), event::encode);
    assertEquals(user, event.getString("userId"), event::encode);
    assertEquals(status, event.getString("status"), event::encode);
    assertEquals(channel, event.getString("channel"), event::encode);
    assertTrue(event.getLong("ts") > 0, event::encode);
  }

  // ---- subscribe and the channel table (PROTOCOL.md section 2) ----

  @Test
  @DisplayName("chat:{room}: any authenticated user may subscribe, and then receives the room's messages")
  void chatRoomIsOpenToEveryUser() {
    String room = chat("open");
    ProtocolClient ann = client(home(), user("ann"));
    Subscription answer = ann.subscribe(room);
    assertAccepted(answer, room);
    if (answer.seq() != null) {
      assertEquals(0, answer.seq(), "an empty room is at seq 0");
      assertNotNull(answer.epoch());
      assertEquals(false, answer.recovered(), "nothing was asked to recover (docs/protocol.md section 9)");
    }
    ProtocolClient ben = client(peer(), user("ben"));
    JsonObject ack = assertAcked(ben.publish(room, "hello"));
    assertMessage(ann.next("message"), room, ack.getLong("seq"), ben.user(), "hello");
  }

  @Test
  @DisplayName("dm:{a}:{b}: only a and b may subscribe; anyone else is forbidden, and an unsorted pair is bad_request")
  void directMessagesAreForTheirTwoMembers() {
    String a = user("ann");
    String b = user("ben");
    String dm = "dm:" + a + ":" + b;
    ProtocolClient ann = client(home(), a);
    assertAccepted(ann.subscribe(dm), dm);
    assertRefused(ann.subscribe("dm:" + b + ":" + a).refusal(), "bad_request");
    ProtocolClient eve = client(home(), user("eve"));
    assertRefused(eve.subscribe(dm).refusal(), "forbidden");
    String room = chat("after");
    assertAccepted(eve.subscribe(room), room);
    ProtocolClient ben = client(peer(), b);
    assertAcked(ben.publish(dm, "psst"));
    assertMessage(ann.next("message"), dm, 1, b, "psst");
    assertAcked(ben.publish(room, "sentinel"));
    assertMessage(eve.next("message"), room, 1, b, "sentinel"); // eve still follows what she may, and got no dm
  }

  @Test
  @DisplayName("user:{id}: only user {id} may subscribe; services publish there, clients may not")
  void userChannelIsForItsUser() {
    String a = user("ann");
    String own = "user:" + a;
    ProtocolClient ann = client(home(), a);
    assertAccepted(ann.subscribe(own), own);
    ProtocolClient eve = client(home(), user("eve"));
    assertRefused(eve.subscribe(own).refusal(), "forbidden");
    assertRefused(ann.publish(own, "to myself"), "forbidden");
    JsonObject published = servicePublish(peer(), own, new JsonObject().put("hi", 1));
    JsonObject message = ann.next("message");
    assertMessage(message, own, published.getLong("seq"), "service:feed", new JsonObject().put("hi", 1));
  }

  @Test
  @DisplayName("a namespace outside the channel table is forbidden, and so is notifications:x")
  void unknownNamespacesAreForbidden() {
    ProtocolClient ann = client(home(), user("ann"));
    assertRefused(ann.subscribe("secret:" + run).refusal(), "forbidden");
    assertRefused(ann.subscribe("notifications:" + run).refusal(), "forbidden");
    String room = chat("sentinel");
    assertAccepted(ann.subscribe(room), room);
    assertAcked(client(peer(), user("ben")).publish(room, "still here"));
    assertEquals("still here", ann.next("message").getValue("data"));
  }

  @Test
  @DisplayName("an invalid channel name is bad_request")
  void invalidChannelNamesAreBadRequest() {
    ProtocolClient ann = client(home(), user("ann"));
    assertRefused(ann.subscribe("chat:bad name").refusal(), "bad_request");
    assertRefused(ann.subscribe("chat:" + "x".repeat(200)).refusal(), "bad_request");
    assertRefused(ann.publish("chat:bad name", 1), "bad_request");
  }

  // ---- chat: ack, seq, fan-out, idempotency (section 3) ----

  @Test
  @DisplayName("a message is acked with channel, seq, id and ts, and reaches every subscriber, sender included, once and in seq order")
  void ackAndFanOut() {
    String room = chat("fan");
    ProtocolClient sender = client(home(), user("ann"), room);
    ProtocolClient bob = client(peer(), user("bob"), room);
    ProtocolClient carol = client(home(), user("carol"), room);
    List<JsonObject> acks = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      JsonObject ack = assertAcked(sender.publish(room, new JsonObject().put("n", i)));
      assertEquals(room, ack.getString("channel"));
      assertEquals(i, ack.getLong("seq"));
      assertFalse(ack.getString("id", "").isEmpty(), ack::encode);
      assertTrue(ack.getLong("ts") > 0, ack::encode);
      acks.add(ack);
    }
    assertAcked(carol.publish(room, "sentinel"));
    for (ProtocolClient client : List.of(sender, bob, carol)) {
      for (int i = 1; i <= 5; i++) {
        JsonObject message = client.next("message");
        assertMessage(message, room, i, sender.user(), new JsonObject().put("n", i));
        assertEquals(acks.get(i - 1).getString("id"), message.getString("id"));
        assertEquals(acks.get(i - 1).getLong("ts"), message.getLong("ts"));
      }
      assertMessage(client.next("message"), room, 6, carol.user(), "sentinel");
    }
  }

  @Test
  @DisplayName("a repeated idem is stored once: the repeat, from another connection of the user, gets the original ack and nothing is delivered twice")
  void idemRepeatIsStoredOnce() {
    String room = chat("idem");
    ProtocolClient watcher = client(peer(), user("wat"), room);
    String a = user("ann");
    ProtocolClient ann = client(home(), a);
    ProtocolClient annElsewhere = client(peer(), a);
    JsonObject first = assertAcked(ann.publish(room, "once", "key-" + run));
    JsonObject again = assertAcked(annElsewhere.publish(room, "once", "key-" + run));
    for (String field : List.of("channel", "seq", "id", "ts")) {
      assertEquals(first.getValue(field), again.getValue(field), field);
    }
    assertAcked(ann.publish(room, "sentinel"));
    assertMessage(watcher.next("message"), room, 1, a, "once");
    assertMessage(watcher.next("message"), room, 2, a, "sentinel");
  }

  @Test
  @DisplayName("a binary frame is acked and relayed live, byte for byte, to WebSocket subscribers only; SSE and long-poll skip it")
  void binaryFramesReachWebSocketsOnly() {
    String room = chat("files");
    ProtocolClient subscriber = client(home(), user("sub"), room);
    ProtocolClient sender = connection(WEBSOCKET, peer(), user("snd")); // only a WebSocket sends binary frames
    byte[] payload = new byte[1500];
    new Random(7).nextBytes(payload);
    Reply reply = sender.sendBinary(new JsonObject().put("channel", room).put("contentType", "image/png")
        .put("filename", "cat.png"), payload);
    JsonObject ack = assertAcked(reply);
    assertEquals(room, ack.getString("channel"));
    assertFalse(ack.getString("id", "").isEmpty(), ack::encode);
    if (transport() == WEBSOCKET) {
      Buffer relayed = subscriber.nextBinary();
      int headerLength = relayed.getInt(0);
      JsonObject header = new JsonObject(relayed.getString(4, 4 + headerLength));
      assertEquals(room, header.getString("channel"));
      assertEquals("image/png", header.getString("contentType"));
      assertEquals(sender.user(), header.getString("from"));
      assertEquals(ack.getString("id"), header.getString("id"));
      assertEquals(ack.getLong("ts"), header.getLong("ts"));
      assertFalse(header.containsKey("ref"), header::encode);
      assertArrayEquals(payload, relayed.getBytes(4 + headerLength, relayed.length()));
    }
    assertAcked(sender.publish(room, "sentinel"));
    assertMessage(subscriber.next(), room, 1, sender.user(), "sentinel"); // not stored: no seq was used
  }

  // ---- recovery (sections 3-5 and 8) ----

  @Test
  @DisplayName("resuming while others keep publishing: every message exactly once, in seq order, with no gap at the seam")
  void recoverySeamUnderConcurrentPublishing() throws Exception {
    String room = chat("seam");
    String reader = user("reader");
    ProtocolClient watcher = client(home(), reader, room);
    int publishers = 8;
    int cap = BUDGET - 2; // messages per publisher: each is a user of its own, under the budget
    List<ProtocolClient> pubs = new ArrayList<>();
    for (int i = 0; i < publishers; i++) {
      pubs.add(client(peer(), user("pub" + i)));
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acked = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(publishers);
    List<Future<Integer>> published = new ArrayList<>();
    try {
      for (ProtocolClient pub : pubs) {
        published.add(pool.submit(() -> {
          int n = 0;
          while (!stop.get() && n < cap) {
            assertAcked(pub.publish(room, pub.user() + ":" + n));
            n++;
            acked.incrementAndGet();
            pause(20); // pacing, so publishing spans the resumes
          }
          return n;
        }));
      }
      long[] thresholds = {10, 35, 60};
      List<ProtocolClient> resumed = new ArrayList<>();
      List<Long> from = new ArrayList<>();
      List<Integer> ackedAtResume = new ArrayList<>();
      long expected = 1;
      while (resumed.size() < thresholds.length || expected <= from.get(from.size() - 1) + 10) {
        JsonObject message = watcher.next("message");
        assertEquals(expected, message.getLong("seq"), "the live subscriber sees no gap and no reorder");
        if (resumed.size() < thresholds.length && expected >= thresholds[resumed.size()] && watcher.resumableHere()) {
          ackedAtResume.add(acked.get());
          from.add(expected);
          resumed.add(resumed(home(), reader, watcher.position()));
        }
        expected++;
      }
      stop.set(true);
      int total = 0;
      for (Future<Integer> count : published) {
        total += count.get(30, TimeUnit.SECONDS);
      }
      for (int i = 0; i < ackedAtResume.size(); i++) {
        assertTrue(ackedAtResume.get(i) < total - 5, "publishing went on after resume " + i + " began (" + ackedAtResume.get(i)
            + " of " + total + " acked then): a cap of " + cap + " per publisher was too small");
      }
      long last = assertAcked(pubs.get(0).publish(room, "sentinel")).getLong("seq");
      assertEquals(total + 1, last, "every publish was acked with the next seq");
      for (; expected <= last; expected++) {
        assertEquals(expected, watcher.next("message").getLong("seq"));
      }
      for (int i = 0; i < resumed.size(); i++) {
        ProtocolClient client = resumed.get(i);
        if (transport().statesEpoch()) {
          assertEquals(List.of(), client.notRecovered(), "subscribed says recovered:true");
        } // SSE and poll: a recovered:false event would fail next() below
        for (long seq = from.get(i) + 1; seq <= last; seq++) {
          assertEquals(seq, client.next("message").getLong("seq"), "resume " + i + " from " + from.get(i));
        }
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("recovered:false and no replay when history no longer reaches back to the client's position")
  void historyNoLongerReachesBack() {
    String small = "small:" + run;
    String reader = user("reader");
    ProtocolClient first = client(home(), reader, small);
    ProtocolClient pub = client(peer(), user("pub"));
    assertAcked(pub.publish(small, 1));
    assertEquals(1, first.next("message").getLong("seq"));
    Position position = first.position();
    first.close();
    for (int i = 2; i <= SMALL_HISTORY + 3; i++) {
      assertAcked(pub.publish(small, i)); // history keeps the last five: 4..8, not 2
    }
    ProtocolClient again = resumed(home(), reader, position);
    assertEquals(List.of(small), again.notRecovered().stream().filter(small::equals).toList());
    assertAcked(pub.publish(small, "live"));
    assertMessage(again.next("message"), small, SMALL_HISTORY + 4, pub.user(), "live");
  }

  @Test
  @DisplayName("recovered:false and no replay when the channel's stream was reset (the store lost), even where seq reaches back")
  void storeLossIsANewEpoch() {
    String room = chat("reset");
    String reader = user("reader");
    ProtocolClient first = client(home(), reader, room);
    ProtocolClient before = client(peer(), user("pub"));
    for (int i = 1; i <= 3; i++) {
      assertAcked(before.publish(room, i));
      assertEquals(i, first.next("message").getLong("seq"));
    }
    Position position = first.position();
    first.close();
    before.close();
    deployment.loseStore();
    ProtocolClient pub = client(peer(), user("pub2"));
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, assertAcked(pub.publish(room, "anew " + i)).getLong("seq"), "the stream starts anew");
    }
    ProtocolClient again = resumed(home(), reader, position);
    assertTrue(again.notRecovered().contains(room), "the old position is of another epoch");
    assertAcked(pub.publish(room, "live"));
    assertMessage(again.next("message"), room, 6, pub.user(), "live");
  }

  @Test
  @DisplayName("recovered:false and no replay when the client's epoch differs from the channel's")
  void staleEpochIsNotRecovered() {
    assumeTrue(transport().statesEpoch(), ProtocolTransport.NO_EPOCH);
    String room = chat("epoch");
    ProtocolClient pub = client(peer(), user("pub"));
    for (int i = 1; i <= 3; i++) {
      assertAcked(pub.publish(room, i));
    }
    ProtocolClient reader = client(home(), user("reader"));
    Subscription answer = reader.subscribe(room, 1, "0.0-not-this-channels");
    assertAccepted(answer, room);
    assertEquals(false, answer.recovered());
    assertEquals(3, answer.seq());
    assertAcked(pub.publish(room, "live"));
    assertMessage(reader.next("message"), room, 4, pub.user(), "live");
  }

  // ---- typing (section 3) ----

  @Test
  @DisplayName("typing reaches the other subscribers, but no connection of the typist")
  void typingSkipsTheTypist() {
    assumeTrue(transport().receivesLiveOnlyEvents(), ProtocolTransport.POLL_LIVE_ONLY);
    String room = chat("typing");
    String a = user("ann");
    ProtocolClient typist = client(home(), a, room);
    ProtocolClient typistElsewhere = client(peer(), a, room);
    ProtocolClient other = client(peer(), user("ben"), room);
    typist.typing(room, true);
    JsonObject typing = other.next("typing");
    assertEquals(room, typing.getString("channel"));
    assertEquals(a, typing.getString("from"));
    assertEquals(true, typing.getBoolean("active"));
    assertAcked(typist.publish(room, "sentinel"));
    for (ProtocolClient own : List.of(typist, typistElsewhere)) {
      assertMessage(own.nextOf("typing", "message"), room, 1, a, "sentinel");
    }
  }

  @Test
  @DisplayName("typing active:true passes at most once per 2 s per user and channel; active:false once after each start that passed")
  void typingThrottle() {
    assumeTrue(transport().receivesLiveOnlyEvents(), ProtocolTransport.POLL_LIVE_ONLY);
    String room = chat("throttle");
    ProtocolClient typist = client(home(), user("ann"), room);
    ProtocolClient watcher = client(peer(), user("ben"), room);
    typist.typing(room, true);  // passes
    typist.typing(room, true);  // dropped: within 2 s
    typist.typing(room, false); // passes: its start passed
    typist.typing(room, false); // dropped: no start since the last stop
    typist.typing(room, true);  // dropped: within 2 s of the first
    typist.typing(room, false); // dropped: its start was dropped
    assertAcked(typist.publish(room, "sentinel 1"));
    assertEquals(true, watcher.nextOf("typing", "message").getBoolean("active"));
    long firstSeen = System.nanoTime(); // the start passed the server before this
    assertEquals(false, watcher.nextOf("typing", "message").getBoolean("active"));
    assertEquals("sentinel 1", watcher.nextOf("typing", "message").getValue("data"));
    long windowEnds = firstSeen + TimeUnit.MILLISECONDS.toNanos(2050);
    pause(Math.max(0, TimeUnit.NANOSECONDS.toMillis(windowEnds - System.nanoTime()))); // let the 2 s window pass
    typist.typing(room, true);  // passes: a new window
    typist.typing(room, false); // passes
    assertAcked(typist.publish(room, "sentinel 2"));
    assertEquals(true, watcher.nextOf("typing", "message").getBoolean("active"));
    assertEquals(false, watcher.nextOf("typing", "message").getBoolean("active"));
    assertEquals("sentinel 2", watcher.nextOf("typing", "message").getValue("data"));
  }

  // ---- presence (sections 3 and 8) ----

  @Test
  @DisplayName("online is announced when a user's first connection opens; offline only when the last closes, after the grace, also to its rooms")
  void onlineAndOfflineAnnouncements() {
    assumeTrue(transport().receivesLiveOnlyEvents(), ProtocolTransport.POLL_LIVE_ONLY);
    String subject = user("sam");
    String other = user("oz");
    String room = chat("lobby");
    ProtocolClient watcher = client(peer(), user("wat"), "presence:" + subject, "presence:" + other, room);
    ProtocolClient first = client(home(), subject, room);
    assertPresence(watcher.next("presence"), subject, "online", "presence:" + subject);
    ProtocolClient second = client(peer(), subject, room);
    ProtocolClient oz = client(home(), other);
    assertPresence(watcher.next("presence"), other, "online", "presence:" + other);
    first.close();
    oz.close();
    // oz's offline is the sentinel: the subject, still connected, announced nothing
    assertPresence(watcher.next("presence"), other, "offline", "presence:" + other);
    long lastClose = System.currentTimeMillis();
    second.close();
    Set<String> announced = new HashSet<>();
    for (int i = 0; i < 2; i++) {
      JsonObject offline = watcher.next("presence");
      assertEquals(subject, offline.getString("userId"), offline::encode);
      assertEquals("offline", offline.getString("status"), offline::encode);
      assertTrue(offline.getLong("ts") >= lastClose + GRACE_MS - 50, () -> "offline after the grace from the last close: "
          + offline.encode() + ", closed at " + lastClose);
      announced.add(offline.getString("channel"));
    }
    assertEquals(Set.of("presence:" + subject, room), announced);
  }

  @Test
  @DisplayName("presence queries: who follows a room now; online, offline with the disconnect time as lastSeen, or never seen")
  void presenceQueries() {
    String room = chat("who");
    String ann = user("ann");
    String ben = user("ben");
    String gone = user("gone");
    String never = user("never");
    long start = System.currentTimeMillis();
    connection(connectionTransport(), home(), ann, room);
    connection(connectionTransport(), peer(), ben, room);
    ProtocolClient leaving = connection(connectionTransport(), home(), gone);
    eventually(() -> presenceOf(peer(), gone), state -> "online".equals(state.getString("status")), gone + " online");
    long beforeClose = System.currentTimeMillis();
    leaving.close();
    ProtocolClient asker = client(home(), user("ask"));
    Reply members = eventually(() -> asker.presenceOfChannel(room),
        reply -> reply.ok() && reply.json().getJsonArray("users").size() == 2, "both members listed");
    Set<String> listed = new HashSet<>();
    members.json().getJsonArray("users").forEach(u -> {
      JsonObject state = (JsonObject) u;
      assertEquals("online", state.getString("status"), state::encode);
      listed.add(state.getString("userId"));
    });
    assertEquals(Set.of(ann, ben), listed);
    Reply states = eventually(() -> asker.presenceOfUsers(List.of(ann, gone, never)),
        reply -> reply.ok() && "offline".equals(reply.json().getJsonArray("users").getJsonObject(1).getString("status")),
        gone + " offline after the grace");
    JsonObject annState = states.json().getJsonArray("users").getJsonObject(0);
    assertEquals(ann, annState.getString("userId"));
    assertEquals("online", annState.getString("status"));
    assertTrue(annState.getLong("lastSeen") >= start, annState::encode);
    JsonObject goneState = states.json().getJsonArray("users").getJsonObject(1);
    assertEquals(gone, goneState.getString("userId"));
    assertTrue(goneState.getLong("lastSeen") >= beforeClose, () -> "lastSeen is the disconnect time: " + goneState.encode());
    JsonObject neverState = states.json().getJsonArray("users").getJsonObject(2);
    assertEquals(never, neverState.getString("userId"));
    assertEquals("offline", neverState.getString("status"));
    assertNull(neverState.getValue("lastSeen"), neverState::encode);
    assertRefused(asker.presenceOfChannel("dm:" + ann + ":" + ben), "forbidden");
  }

  @Test
  @DisplayName("a user who long-polls counts as online (one presence connection per node, leased), and can be signalled")
  void pollsCountForPresence() {
    assumeTrue(!transport().isConnection(), "a rule of long-polls");
    String po = user("po");
    client(home(), po, chat("any"));
    ProtocolClient asker = client(peer(), user("ask"));
    JsonObject state = asker.presenceOfUsers(List.of(po)).json().getJsonArray("users").getJsonObject(0);
    assertEquals("online", state.getString("status"), state::encode);
    asker.signal(po, "offer", new JsonObject()); // accepted: it reaches a poll held when it arrives
  }

  @Test
  @DisplayName("a poll answered at once (timeoutMs=0) gives a cursor from which nothing published after it is lost")
  void pollAnsweredAtOnceLosesNothing() {
    assumeTrue(!transport().isConnection(), "a rule of long-polls");
    for (int i = 0; i < 20; i++) {
      String reader = user("reader" + i);
      String room = chat("first" + i);
      JsonObject first = poll(home(), reader, room, null, 0);
      servicePublish(peer(), room, "after the first poll");
      JsonObject second = poll(home(), reader, room, first.getString("cursor"), 5000);
      assertEquals(List.of("after the first poll"), messageData(second), "attempt " + i + ": a first poll");
      String added = chat("added" + i);
      JsonObject listing = poll(home(), reader, room + "," + added, second.getString("cursor"), 0);
      servicePublish(peer(), added, "after the listing poll");
      JsonObject fourth = poll(home(), reader, room + "," + added, listing.getString("cursor"), 5000);
      assertEquals(List.of("after the listing poll"), messageData(fourth), "attempt " + i + ": a poll listing a channel anew");
    }
  }

  /** One raw {@code GET /realtime/poll}; its JSON reply. */
  private JsonObject poll(int port, String user, String channels, String cursor, long timeoutMs) {
    String uri = "/realtime/poll?timeoutMs=" + timeoutMs + "&channels=" + RestActingClient.encode(channels)
        + (cursor == null ? "" : "&cursor=" + RestActingClient.encode(cursor));
    Response response = HttpCalls.request(port, HttpMethod.GET, uri, ServerTestBase.token(user), null, timeoutMs);
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  private static List<Object> messageData(JsonObject reply) {
    return reply.getJsonArray("events").stream().map(e -> (JsonObject) e)
        .filter(e -> "message".equals(e.getString("type"))).map(e -> e.getValue("data")).toList();
  }

  // ---- notifications (sections 3 and 8) ----

  @Test
  @DisplayName("a notification reaches every connection of its user, then the exact unread count; a read mark gives every connection the new count")
  void notificationsWithExactUnreadCounts() {
    String u = user("ann");
    ProtocolClient reader = client(home(), u);
    ProtocolClient elsewhere = client(peer(), u);
    ProtocolClient bystander = client(home(), user("by"));
    List<ProtocolClient> own = List.of(reader, elsewhere);
    for (int i = 1; i <= 3; i++) {
      JsonObject sent = notify(peer(), u, "post_liked", new JsonObject().put("post", i));
      assertEquals(i, sent.getLong("seq"));
      for (ProtocolClient client : own) {
        JsonObject notification = nextNotification(client);
        assertEquals(sent.getString("id"), notification.getString("id"));
        assertEquals(i, notification.getLong("seq"));
        assertEquals("post_liked", notification.getString("kind"));
        assertEquals(new JsonObject().put("post", i), notification.getValue("data"));
        assertEquals(false, notification.getBoolean("read"));
        assertTrue(notification.getLong("ts") > 0);
        assertEquals(i, countAfterNotification(client), "the count after notification " + i);
      }
    }
    assertEquals(1, reader.read(2));
    for (ProtocolClient client : own) {
      boolean answered = client == reader && transport().answersReadOnItsConnection();
      if (!answered && transport().receivesLiveOnlyEvents()) {
        assertEquals(1, client.next("unread_count").getLong("count"), "the count pushed after the read mark");
      } // a poll between requests misses pushed counts; its next reply with a notification carries the count
    }
    notify(peer(), u, "comment_added", "sentinel");
    for (ProtocolClient client : own) {
      assertEquals(4, nextNotification(client).getLong("seq")); // a WebSocket reader got no second count
      assertEquals(2, countAfterNotification(client));
    }
    notify(peer(), bystander.user(), "sentinel", 0);
    JsonObject theirs = bystander.next("notification");
    assertEquals(1, theirs.getLong("seq"), "nothing of another user's reached the bystander");
    assertEquals("sentinel", theirs.getString("kind"));
  }

  @Test
  @DisplayName("notifications sent while offline come on the next connection right after unread_count, oldest first, and only once")
  void offlineQueueComesFirst() {
    String u = user("ann");
    for (int i = 1; i <= 3; i++) {
      notify(peer(), u, "queued", i);
    }
    ProtocolClient first = opened(home(), u);
    JsonObject count = first.next();
    assertEquals("unread_count", count.getString("type"), count::encode);
    assertEquals(3, count.getLong("count"));
    for (int i = 1; i <= 3; i++) {
      JsonObject queued = first.next();
      assertEquals("notification", queued.getString("type"), queued::encode);
      assertEquals(i, queued.getLong("seq"));
      assertEquals(i, queued.getInteger("data"));
    }
    notify(peer(), u, "live", 4);
    assertEquals(4, first.next("notification").getLong("seq"));
    ProtocolClient second = opened(peer(), u);
    JsonObject secondCount = second.next();
    assertEquals("unread_count", secondCount.getString("type"), secondCount::encode);
    assertEquals(4, secondCount.getLong("count"));
    notify(peer(), u, "sentinel", 5);
    assertEquals(5, second.next("notification").getLong("seq"), "the queue was delivered once, to the first connection");
  }

  /**
   * The next notification. A connection gets no count before it: each count came right after its
   * notification or read mark, and was taken. A long-poll reply may carry, besides the count that
   * ends it, counts pushed live while it was held, which can overtake a notification replayed from
   * the cursor: there, counts before the notification are passed over.
   */
  private JsonObject nextNotification(ProtocolClient client) {
    JsonObject event = client.nextOf("notification", "unread_count");
    while ("unread_count".equals(event.getString("type"))) {
      JsonObject count = event;
      assertFalse(transport().receivesLiveOnlyEvents(), () -> "a count no notification or read mark asked for: " + count.encode());
      event = client.nextOf("notification", "unread_count");
    }
    return event;
  }

  /**
   * The unread count given after a notification: on a connection, the next count; on a long-poll,
   * the count that ends the reply carrying the notification (section 9: such replies end with one).
   */
  private long countAfterNotification(ProtocolClient client) {
    JsonObject count = client.next("unread_count");
    if (!transport().receivesLiveOnlyEvents()) {
      while (!client.resumableHere()) {
        JsonObject event = client.next();
        assertEquals("unread_count", event.getString("type"), () -> "the reply ends with the count: " + event.encode());
        count = event;
      }
    }
    return count.getLong("count");
  }

  // ---- signals (section 3) ----

  @Test
  @DisplayName("a signal reaches every connection of its recipient, with from, signal and payload")
  void signalReachesEveryConnection() {
    assumeTrue(transport().isConnection(), ProtocolTransport.POLL_NOT_CONNECTED);
    String r = user("rec");
    List<ProtocolClient> recipient = List.of(client(home(), r), client(peer(), r));
    ProtocolClient sender = client(peer(), user("snd"));
    eventually(() -> presenceOf(peer(), r), state -> "online".equals(state.getString("status")), r + " online");
    JsonObject payload = new JsonObject().put("sdp", "v=0 o=- 1 2 IN IP4 127.0.0.1");
    sender.signal(r, "offer", payload);
    for (ProtocolClient connection : recipient) {
      JsonObject signal = connection.next("signal");
      assertEquals(sender.user(), signal.getString("from"));
      assertEquals("offer", signal.getString("signal"));
      assertEquals(payload, signal.getValue("payload"));
    }
    sender.signal(r, "hangup", null);
    for (ProtocolClient connection : recipient) {
      assertEquals("hangup", connection.next("signal").getString("signal"), "the offer came once");
    }
  }

  @Test
  @DisplayName("a signal to a user with no connection is not_found")
  void signalToOfflineUserIsNotFound() {
    ProtocolClient sender = client(home(), user("snd"));
    assertRefused(sender.signalRefused(user("nobody"), "offer", new JsonObject()), "not_found");
  }

  // ---- errors (section 3, section 6) ----

  @Test
  @DisplayName("bad input is bad_request: text that is not JSON, a message without data or channel, an idem that is not a string")
  void badInputIsBadRequest() {
    String room = chat("bad");
    ProtocolClient ann = client(home(), user("ann"));
    assertRefused(ann.sendMalformed("{not json"), "bad_request");
    assertRefused(ann.publishRaw(new JsonObject().put("channel", room)), "bad_request");
    assertRefused(ann.publishRaw(new JsonObject().put("data", 1)), "bad_request");
    assertRefused(ann.publishRaw(new JsonObject().put("channel", room).put("data", 1).put("idem", 5)), "bad_request");
    assertEquals(1, assertAcked(ann.publish(room, "fine")).getLong("seq"), "nothing bad was stored, and the client goes on");
  }

  @Test
  @DisplayName("publishing or typing where the user may not is forbidden")
  void forbiddenActions() {
    ProtocolClient ann = client(home(), user("ann"));
    assertRefused(ann.publish("post:" + run, 1), "forbidden");
    assertRefused(ann.typingRefused("post:" + run, true), "forbidden");
    assertRefused(ann.publish("presence:" + ann.user(), 1), "forbidden");
  }

  @Test
  @DisplayName("unsubscribing from a channel not subscribed is not_subscribed")
  void unsubscribeWhenNotSubscribed() {
    assumeTrue(transport().canUnsubscribe(), ProtocolTransport.NO_UNSUBSCRIBE);
    ProtocolClient ann = client(home(), user("ann"));
    assertRefused(ann.request(ServerTestBase.frame("unsubscribe").put("channel", chat("never"))), "not_subscribed");
  }

  @Test
  @DisplayName("an unknown frame type is unknown_type")
  void unknownTypeIsRefused() {
    assumeTrue(transport().sendsFrames(), ProtocolTransport.NO_FRAMES);
    ProtocolClient ann = client(home(), user("ann"));
    assertRefused(ann.request(ServerTestBase.frame("dance")), "unknown_type");
  }

  @Test
  @DisplayName("past the message budget: rate_limited with retryAfterMs (REST: 429 and Retry-After); other users are unaffected")
  void rateLimited() {
    String room = chat("busy");
    ProtocolClient ann = client(home(), user("ann"));
    for (int i = 0; i < BUDGET; i++) {
      assertAcked(ann.publish(room, i)); // the budget starts full
    }
    Reply refused = null;
    for (int i = 0; i < 5 && refused == null; i++) {
      Reply reply = ann.publish(room, "one too many");
      refused = reply.ok() ? null : reply; // the bucket refills slowly (1 per 60/BUDGET s)
    }
    assertRefused(refused, "rate_limited");
    assertAcked(client(home(), user("ben")).publish(room, "unaffected"));
  }
}
