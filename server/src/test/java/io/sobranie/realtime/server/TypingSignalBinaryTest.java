package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.WsClient.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Typing, WebRTC signaling and binary relays (PROTOCOL.md section 3), and uploads (section 6). */
class TypingSignalBinaryTest extends ServerTestBase {

  @Override
  protected Map<String, String> settings() {
    return Map.of("MAX_BLOB_BYTES", "4096");
  }

  // ---- typing ----

  @Test
  @DisplayName("typing reaches the other subscribers, not any connection of the typist")
  void typingSkipsTheTypist() {
    WsClient alice = connect(token("alice"));
    WsClient aliceOther = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    for (WsClient client : List.of(alice, aliceOther, bob)) {
      client.subscribe("chat:t");
    }
    alice.send(frame("typing").put("channel", "chat:t").put("active", true));
    JsonObject typing = bob.next();
    assertEquals("typing", typing.getString("type"));
    assertEquals("chat:t", typing.getString("channel"));
    assertEquals("alice", typing.getString("from"));
    assertEquals(true, typing.getBoolean("active"));
    alice.publish("chat:t", "sentinel");
    assertEquals("message", aliceOther.next().getString("type"), "the typist's other connection got no typing");
  }

  @Test
  @DisplayName("active:true is throttled to one per 2 s; active:false always passes")
  void typingThrottle() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:t");
    for (int i = 0; i < 3; i++) {
      alice.send(frame("typing").put("channel", "chat:t").put("active", true));
    }
    alice.send(frame("typing").put("channel", "chat:t").put("active", false));
    alice.publish("chat:t", "sentinel");
    assertEquals(true, bob.next().getBoolean("active"));
    assertEquals(false, bob.next().getBoolean("active"), "the extra active:true were dropped");
    assertEquals("message", bob.next().getString("type"));
  }

  @Test
  @DisplayName("alternating active true/false in a flood costs two deliveries per 2 s: one start, one stop")
  void typingFloodIsTwoDeliveries() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:t");
    for (int i = 0; i < 200; i++) {
      alice.sendWithoutWaiting(frame("typing").put("channel", "chat:t").put("active", i % 2 == 0));
    }
    alice.sendWithoutWaiting(frame("typing").put("channel", "chat:t").put("active", false)); // a stop with no start before it
    alice.publish("chat:t", "sentinel");
    assertEquals(true, bob.next().getBoolean("active"));
    assertEquals(false, bob.next().getBoolean("active"));
    assertEquals("message", bob.next().getString("type"), "nothing else came before the sentinel");
  }

  @Test
  @DisplayName("authorization comes before the throttle: every typing frame on a forbidden channel is forbidden")
  void typingIsAuthorizedBeforeTheThrottle() {
    WsClient alice = connect(token("alice"));
    for (int i = 0; i < 3; i++) {
      alice.send(frame("typing").put("channel", "post:1").put("active", true).put("ref", "t" + i));
      JsonObject error = alice.next("error");
      assertError(error, "forbidden");
      assertEquals("t" + i, error.getString("ref"));
    }
  }

  @Test
  @DisplayName("typing where the user may not publish is forbidden; without active it is bad_request")
  void typingErrors() {
    WsClient alice = connect(token("alice"));
    alice.send(frame("typing").put("channel", "post:1").put("active", true).put("ref", "t1"));
    JsonObject error = alice.next("error");
    assertError(error, "forbidden");
    assertEquals("t1", error.getString("ref"));
    alice.send(frame("typing").put("channel", "chat:t"));
    assertError(alice.next("error"), "bad_request");
  }

  @Test
  @DisplayName("POST /realtime/typing relays like the frame and answers 204")
  void restTyping() {
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:t");
    assertEquals(204, request(HttpMethod.POST, "/realtime/typing", token("alice"),
        new JsonObject().put("channel", "chat:t").put("active", true).encode()).status());
    assertEquals("typing", bob.next().getString("type"));
  }

  // ---- signaling ----

  @Test
  @DisplayName("a signal reaches every connection of its recipient, stamped with from")
  void signalToEveryConnection() throws InterruptedException {
    WsClient alice = connect(token("alice"));
    WsClient bobPhone = connect(token("bob"));
    WsClient bobLaptop = connect(token("bob"));
    awaitConnections("bob", 2);
    JsonObject payload = new JsonObject().put("sdp", "v=0 o=- 1 2 IN IP4 127.0.0.1");
    alice.send(frame("signal").put("to", "bob").put("signal", "offer").put("payload", payload));
    for (WsClient bob : List.of(bobPhone, bobLaptop)) {
      JsonObject signal = bob.next();
      assertEquals("signal", signal.getString("type"));
      assertEquals("alice", signal.getString("from"));
      assertEquals("offer", signal.getString("signal"));
      assertEquals(payload, signal.getJsonObject("payload"));
    }
  }

  @Test
  @DisplayName("a signal to a user with no connection is not_found (404 over REST); a bad kind is bad_request")
  void signalErrors() {
    WsClient alice = connect(token("alice"));
    alice.send(frame("signal").put("to", "nobody").put("signal", "offer").put("payload", 1).put("ref", "s1"));
    JsonObject error = alice.next("error");
    assertError(error, "not_found");
    assertEquals("s1", error.getString("ref"));
    alice.send(frame("signal").put("to", "bob").put("signal", "shout").put("payload", 1));
    assertError(alice.next("error"), "bad_request");
    Response response = request(HttpMethod.POST, "/realtime/signal", token("alice"),
        new JsonObject().put("to", "nobody").put("signal", "ice").put("payload", 1).encode());
    assertEquals(404, response.status());
    assertEquals("not_found", response.errorCode());
  }

  @Test
  @DisplayName("POST /realtime/signal relays and answers 204")
  void restSignal() throws InterruptedException {
    WsClient bob = connect(token("bob"));
    awaitConnections("bob", 1);
    assertEquals(204, request(HttpMethod.POST, "/realtime/signal", token("alice"),
        new JsonObject().put("to", "bob").put("signal", "hangup").encode()).status());
    assertEquals("hangup", bob.next().getString("signal"));
  }

  @Test
  @DisplayName("the signaling socket (/realtime/webrtc/signaling): connected, then signals only; a signal reaches the user on both paths")
  void signalingSocket() throws Exception {
    WsClient bobSignaling = WsClient.open(clientVertx, port(), "/realtime/webrtc/signaling", "", token("bob"));
    assertEquals("bob", bobSignaling.next("connected").getString("userId"));
    assertEquals("pong", bobSignaling.request(frame("ping").put("ref", "p"), "pong").getString("type"), "no unread_count or queue came first");
    WsClient bob = connect(token("bob"));
    awaitConnections("bob", 2);
    WsClient alice = connect(token("alice"));
    alice.send(frame("signal").put("to", "bob").put("signal", "offer").put("payload", new JsonObject().put("sdp", "v=0")));
    for (WsClient path : List.of(bobSignaling, bob)) {
      JsonObject signal = path.next("signal");
      assertEquals("alice", signal.getString("from"));
      assertEquals("offer", signal.getString("signal"));
    }
    bobSignaling.send(frame("subscribe").put("channel", "chat:x").put("ref", "s"));
    JsonObject refused = bobSignaling.next("error");
    assertError(refused, "bad_request");
    assertEquals("s", refused.getString("ref"));
    bobSignaling.send(frame("signal").put("to", "alice").put("signal", "answer").put("payload", "x"));
    assertEquals("bob", alice.next("signal").getString("from"), "the signaling socket sends signals");
    notify("bob", "k", 1);
    bob.next("notification");
    bobSignaling.send(frame("ping").put("ref", "sentinel"));
    assertEquals("pong", bobSignaling.next().getString("type"), "no notification or count reached the signaling socket");
    WsClient carol = WsClient.open(clientVertx, port(), "/realtime/webrtc/signaling", "", token("carol"));
    carol.next("connected");
    awaitConnections("carol", 1);
    alice.send(frame("signal").put("to", "carol").put("signal", "ice").put("payload", 1).put("ref", "c"));
    assertEquals("ice", carol.next("signal").getString("signal"), "a user with only a signaling socket is reachable");
    carol.close();
    bobSignaling.close();
  }

  // ---- binary frames ----

  private static Buffer binaryFrame(JsonObject header, byte[] payload) {
    Buffer json = header.toBuffer();
    return Buffer.buffer().appendInt(json.length()).appendBuffer(json).appendBytes(payload);
  }

  @Test
  @DisplayName("a binary frame is acked and relayed byte for byte with from, id and ts added to its header")
  void binaryRoundTrip() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("chat:files");
    byte[] payload = new byte[3000];
    ThreadLocalRandom.current().nextBytes(payload);
    alice.sendBinary(binaryFrame(new JsonObject().put("channel", "chat:files").put("contentType", "image/png")
        .put("filename", "cat.png").put("ref", "b1"), payload));
    JsonObject ack = alice.next("ack");
    assertEquals("b1", ack.getString("ref"));
    assertEquals("chat:files", ack.getString("channel"));
    Buffer relayed = bob.nextBinary();
    int headerLength = relayed.getInt(0);
    JsonObject header = new JsonObject(relayed.getString(4, 4 + headerLength));
    assertEquals("chat:files", header.getString("channel"));
    assertEquals("image/png", header.getString("contentType"));
    assertEquals("cat.png", header.getString("filename"));
    assertEquals("alice", header.getString("from"));
    assertEquals(ack.getString("id"), header.getString("id"));
    assertEquals(ack.getLong("ts"), header.getLong("ts"));
    assertArrayEquals(payload, relayed.getBytes(4 + headerLength, relayed.length()));
  }

  @Test
  @DisplayName("malformed binary frames (short, bad length, bad header JSON, no channel) are bad_request")
  void malformedBinary() {
    WsClient alice = connect(token("alice"));
    Buffer noChannel = binaryFrame(new JsonObject().put("contentType", "x"), new byte[] {1});
    Buffer badJson = Buffer.buffer().appendInt(3).appendString("{x}").appendByte((byte) 1);
    for (Buffer frame : List.of(Buffer.buffer(new byte[] {0, 0}), Buffer.buffer().appendInt(999).appendString("{}"), badJson, noChannel)) {
      alice.sendBinary(frame);
      assertError(alice.next(), "bad_request");
    }
    alice.sendBinary(binaryFrame(new JsonObject().put("channel", "post:9").put("ref", "f"), new byte[] {1}));
    assertError(alice.next(), "forbidden");
    assertEquals("pong", alice.request(frame("ping"), "pong").getString("type"));
  }

  // ---- uploads ----

  private Response upload(String bearer, byte[] bytes, String type, String filename) {
    return upload("/realtime/binary", bearer, bytes, type, filename);
  }

  private Response upload(String path, String bearer, byte[] bytes, String type, String filename) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", type);
    if (bearer != null) {
      headers.put("Authorization", "Bearer " + bearer);
    }
    if (filename != null) {
      headers.put("X-Filename", filename);
    }
    return RawHttp.once(port(), "POST", path, headers, bytes);
  }

  @Test
  @DisplayName("upload then download returns the same bytes with their content type; ids are long and random")
  void uploadDownload() {
    byte[] bytes = new byte[2000];
    ThreadLocalRandom.current().nextBytes(bytes);
    Response created = upload(token("alice"), bytes, "image/png", "cat.png");
    assertEquals(201, created.status(), created.body());
    JsonObject file = created.json();
    assertTrue(file.getString("id").length() >= 22, "at least 128 random bits");
    assertEquals("/realtime/binary/" + file.getString("id"), file.getString("url"));
    assertEquals("image/png", file.getString("contentType"));
    assertEquals("cat.png", file.getString("filename"));
    assertEquals(2000, file.getLong("size"));
    java.net.http.HttpResponse<byte[]> downloaded = HttpCalls.download(port(), file.getString("url"), token("bob"));
    assertEquals(200, downloaded.statusCode());
    assertEquals("image/png", downloaded.headers().firstValue("Content-Type").orElse(null));
    assertArrayEquals(bytes, downloaded.body());
  }

  @Test
  @DisplayName("POST /realtime/binary/upload (the seeds' name) is the same upload")
  void uploadUnderTheSeedsName() {
    Response created = upload("/realtime/binary/upload", token("alice"), new byte[] {1, 2, 3}, "application/octet-stream", "x.bin");
    assertEquals(201, created.status(), created.body());
    assertEquals(3, created.json().getLong("size"));
    assertEquals(413, upload("/realtime/binary/upload", token("alice"), new byte[5000], "application/octet-stream", null).status());
  }

  @Test
  @DisplayName("an upload over MAX_BLOB_BYTES is 413; without a token 401; an unknown id 404")
  void uploadErrors() {
    Response tooLarge = upload(token("alice"), new byte[5000], "application/octet-stream", null);
    assertEquals(413, tooLarge.status());
    assertEquals("too_large", tooLarge.errorCode());
    assertEquals(401, upload(null, new byte[10], "text/plain", null).status());
    assertEquals(401, request(HttpMethod.GET, "/realtime/binary/AAAAAAAAAAAAAAAAAAAAAAAA", null, null).status());
    Response missing = request(HttpMethod.GET, "/realtime/binary/AAAAAAAAAAAAAAAAAAAAAAAA", token("alice"), null);
    assertEquals(404, missing.status());
    assertEquals("not_found", missing.errorCode());
  }
}
