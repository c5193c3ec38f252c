package io.sobranie.realtime.server;

import static io.sobranie.realtime.server.WsClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The default channel table of PROTOCOL.md section 2, through real WebSocket connections: every
 * row allowed and denied. A denial is an {@code error} with the request's ref and the connection
 * stays usable (checked with a ping after each denial).
 */
class ChannelAccessTest extends ServerTestBase {

  private static JsonObject subscribe(String channel) {
    return frame("subscribe").put("channel", channel).put("ref", "r-" + channel);
  }

  private static JsonObject message(String channel) {
    return frame("message").put("channel", channel).put("data", "hi").put("ref", "r-" + channel);
  }

  private void assertAllowed(WsClient client, JsonObject request, String replyType) {
    JsonObject reply = client.request(request, replyType);
    assertEquals(request.getString("ref"), reply.getString("ref"));
  }

  private void assertDenied(WsClient client, JsonObject request, String code) {
    client.send(request);
    JsonObject error = client.next("error");
    assertError(error, code);
    assertEquals(request.getString("ref"), error.getString("ref"));
    assertEquals("still-open", client.request(frame("ping").put("ref", "still-open"), "pong").getString("ref"));
  }

  @Test
  @DisplayName("user:{id}: only that user subscribes; no client publishes, not even the user")
  void userChannel() {
    WsClient alice = connect(token("alice"));
    assertAllowed(alice, subscribe("user:alice"), "subscribed");
    assertDenied(alice, subscribe("user:bob"), "forbidden");
    assertDenied(alice, message("user:alice"), "forbidden");
  }

  @Test
  @DisplayName("user:{id}: a service publishes")
  void userChannelServicePublishes() {
    assertAllowed(connect(token("billing", "service")), message("user:alice"), "ack");
  }

  @Test
  @DisplayName("chat:{room}: any authenticated user subscribes and publishes")
  void chatChannel() {
    WsClient alice = connect(token("alice"));
    assertAllowed(alice, subscribe("chat:lobby"), "subscribed");
    assertAllowed(alice, message("chat:lobby"), "ack");
    assertAllowed(connect(token("zed")), message("chat:lobby"), "ack");
  }

  @Test
  @DisplayName("dm:{a}:{b}: only a and b subscribe and publish")
  void dmChannel() {
    WsClient alice = connect(token("alice"));
    WsClient bob = connect(token("bob"));
    WsClient mallory = connect(token("mallory"));
    assertAllowed(alice, subscribe("dm:alice:bob"), "subscribed");
    assertAllowed(bob, message("dm:alice:bob"), "ack");
    assertDenied(mallory, subscribe("dm:alice:bob"), "forbidden");
    assertDenied(mallory, message("dm:alice:bob"), "forbidden");
  }

  @Test
  @DisplayName("dm:{a}:{b} with unsorted or malformed ids is a bad request")
  void dmChannelMustBeSorted() {
    WsClient alice = connect(token("alice"));
    assertDenied(alice, subscribe("dm:bob:alice"), "bad_request");
    assertDenied(alice, subscribe("dm:alice"), "bad_request");
    assertDenied(alice, message("dm:bob:alice"), "bad_request");
  }

  @Test
  @DisplayName("circle:{id}: only users whose circles claim holds the id")
  void circleChannel() {
    WsClient member = connect(tokenWithCircles("alice", "c1", "c2"));
    WsClient outsider = connect(tokenWithCircles("bob", "c3"));
    assertAllowed(member, subscribe("circle:c2"), "subscribed");
    assertAllowed(member, message("circle:c2"), "ack");
    assertDenied(outsider, subscribe("circle:c2"), "forbidden");
    assertDenied(outsider, message("circle:c2"), "forbidden");
    assertDenied(connect(token("carol")), subscribe("circle:c1"), "forbidden");
  }

  @Test
  @DisplayName("post:{id} and creator:{id}: anyone subscribes, only services publish")
  void postAndCreatorChannels() {
    WsClient alice = connect(token("alice"));
    WsClient service = connect(token("feed", "service"));
    for (String channel : new String[] {"post:42", "creator:7"}) {
      assertAllowed(alice, subscribe(channel), "subscribed");
      assertDenied(alice, message(channel), "forbidden");
      assertAllowed(service, message(channel), "ack");
    }
  }

  @Test
  @DisplayName("presence:{id}: anyone subscribes, nobody publishes (not even services)")
  void presenceChannel() {
    assertAllowed(connect(token("alice")), subscribe("presence:bob"), "subscribed");
    assertDenied(connect(token("alice")), message("presence:alice"), "forbidden");
    assertDenied(connect(token("feed", "service")), message("presence:alice"), "forbidden");
  }

  @Test
  @DisplayName("broadcast: implicit for everyone (explicit subscribe answered), only services publish")
  void broadcastChannel() {
    WsClient alice = connect(token("alice"));
    assertAllowed(alice, subscribe("broadcast"), "subscribed");
    assertDenied(alice, message("broadcast"), "forbidden");
    connect(token("ops", "service")).publish("broadcast", "maintenance at noon");
    JsonObject delivered = alice.next("message");
    assertEquals("broadcast", delivered.getString("channel"));
    assertEquals("service:ops", delivered.getString("from"));
  }

  @Test
  @DisplayName("notifications: nobody publishes on it from a client")
  void notificationsChannel() {
    assertDenied(connect(token("alice")), message("notifications"), "forbidden");
  }

  @Test
  @DisplayName("only the bare names notifications and broadcast exist: a name under them is denied")
  void bareNamesOnly() {
    WsClient alice = connect(token("alice"));
    assertDenied(alice, subscribe("notifications:alice"), "forbidden");
    assertDenied(alice, subscribe("broadcast:x"), "forbidden");
    assertDenied(connect(token("ops", "service")), message("broadcast:x"), "forbidden");
  }

  @Test
  @DisplayName("any other namespace or bare name is denied or invalid")
  void unknownNamespace() {
    WsClient alice = connect(token("alice"));
    assertDenied(alice, subscribe("secret:vault"), "forbidden");
    assertDenied(alice, message("secret:vault"), "forbidden");
    assertDenied(alice, subscribe("lobby"), "bad_request");
    assertDenied(alice, subscribe("chat:a,b"), "bad_request");
  }
}
