package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.Addresses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The service endpoints of PROTOCOL.md sections 6 and 7. */
class ServiceApiTest extends ServerTestBase {
  private static final String SERVICE = token("feed", "service");

  private Response post(String path, String bearer, JsonObject body) {
    return request(HttpMethod.POST, path, bearer, body.encode());
  }

  @Test
  @DisplayName("a user token gets 403 on every service endpoint")
  void userTokenIsForbidden() {
    for (String path : new String[] {"/realtime/send", "/realtime/publish", "/realtime/broadcast", "/realtime/disconnect"}) {
      Response response = post(path, token("alice"), new JsonObject().put("userId", "bob").put("kind", "k").put("data", 1)
          .put("channel", "post:1"));
      assertEquals(403, response.status(), path);
      assertEquals("forbidden", response.errorCode(), path);
    }
  }

  @Test
  @DisplayName("malformed service bodies are 400 in the error shape")
  void malformedBodies() {
    assertEquals("bad_request", request(HttpMethod.POST, "/realtime/send", SERVICE, "{oops").errorCode());
    assertEquals("bad_request", post("/realtime/send", SERVICE, new JsonObject().put("kind", "k").put("data", 1)).errorCode());
    assertEquals("bad_request", post("/realtime/send", SERVICE, new JsonObject().put("userId", "not valid").put("kind", "k").put("data", 1)).errorCode());
    assertEquals("bad_request", post("/realtime/send", SERVICE, new JsonObject().put("userId", "bob").put("data", 1)).errorCode());
    assertEquals("bad_request", post("/realtime/send", SERVICE, new JsonObject().put("userId", "bob").put("kind", "k")).errorCode());
    assertEquals("bad_request", post("/realtime/publish", SERVICE, new JsonObject().put("channel", "bad channel").put("data", 1)).errorCode());
    assertEquals("bad_request", post("/realtime/broadcast", SERVICE, new JsonObject().put("data", 1)).errorCode());
    assertEquals("bad_request", post("/realtime/disconnect", SERVICE, new JsonObject()).errorCode());
    Response response = post("/realtime/publish", SERVICE, new JsonObject().put("data", 1));
    assertEquals(400, response.status());
    assertNotNull(response.json().getJsonObject("error").getString("message"));
  }

  @Test
  @DisplayName("publish: a channel message from service:{sub} with its kind → 200 {channel, seq, id}")
  void publish() {
    WsClient alice = connect(token("alice"));
    alice.subscribe("creator:7");
    Response response = post("/realtime/publish", SERVICE,
        new JsonObject().put("channel", "creator:7").put("data", new JsonObject().put("post", 99)).put("kind", "new_post"));
    assertEquals(200, response.status());
    assertEquals("creator:7", response.json().getString("channel"));
    assertEquals(1, response.json().getLong("seq"));
    JsonObject message = alice.next("message");
    assertEquals("service:feed", message.getString("from"));
    assertEquals("new_post", message.getString("kind"));
    assertEquals(response.json().getString("id"), message.getString("id"));
    assertEquals(99, message.getJsonObject("data").getInteger("post"));
  }

  @Test
  @DisplayName("publish where the channel rules deny services (presence:) is 403")
  void publishRespectsRules() {
    assertEquals(403, post("/realtime/publish", SERVICE, new JsonObject().put("channel", "presence:alice").put("data", 1)).status());
  }

  @Test
  @DisplayName("broadcast without a channel reaches every connection on broadcast; with one, that channel → 202")
  void broadcast() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    bob.subscribe("post:5");
    Response everyone = post("/realtime/broadcast", SERVICE, new JsonObject().put("kind", "maintenance").put("data", "at noon"));
    assertEquals(202, everyone.status());
    assertEquals("broadcast", everyone.json().getString("channel"));
    for (WsClient client : new WsClient[] {alice, bob}) {
      JsonObject message = client.next("message");
      assertEquals("broadcast", message.getString("channel"));
      assertEquals("maintenance", message.getString("kind"));
    }
    Response onChannel = post("/realtime/broadcast", SERVICE,
        new JsonObject().put("channel", "post:5").put("kind", "post-purchased").put("data", 1));
    assertEquals(202, onChannel.status());
    assertEquals("post:5", onChannel.json().getString("channel"));
    assertEquals("post-purchased", bob.next("message").getString("kind"));
  }

  @Test
  @DisplayName("realtime.publish and realtime.broadcast on the event bus reply {channel, seq, id}")
  void eventBusPublish() {
    WsClient alice = connect(token("alice"));
    alice.subscribe("post:1");
    JsonObject reply = node.vertx().eventBus().<JsonObject>request(Addresses.PUBLISH,
        new JsonObject().put("channel", "post:1").put("data", "x").put("from", "service:comments")).await().body();
    assertEquals(1, reply.getLong("seq"));
    assertEquals("service:comments", alice.next("message").getString("from"));
    JsonObject broadcast = node.vertx().eventBus().<JsonObject>request(Addresses.BROADCAST,
        new JsonObject().put("kind", "k").put("data", "y")).await().body();
    assertEquals("broadcast", broadcast.getString("channel"));
    assertEquals("y", alice.next("message").getString("data"));
  }

  @Test
  @DisplayName("disconnect closes every WebSocket (4000, reason) and SSE stream (reconnect, end) of the user and counts them")
  void disconnect() throws InterruptedException {
    WsClient ws = connect(token("alice"));
    SseClient stream = sse("token=" + token("alice"), null);
    stream.opening();
    WsClient bob = connect(token("bob"));
    awaitConnections("alice", 2);
    Response response = post("/realtime/disconnect", SERVICE, new JsonObject().put("userId", "alice").put("reason", "banned"));
    assertEquals(200, response.status());
    assertEquals(2, response.json().getInteger("closed"));
    assertEquals(4000, ws.awaitClose());
    assertEquals("banned", ws.closeReason());
    assertEquals("banned", stream.next("reconnect").json().getString("reason"));
    assertTrue(stream.awaitEnd(), "the SSE stream ends");
    assertEquals("alive", bob.request(frame("ping").put("ref", "alive"), "pong").getString("ref"));
  }
}
