package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.DevTokens;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 1 over real WebSocket and HTTP connections. */
class AuthenticationTest extends ServerTestBase {

  /** A rejected upgrade: completed, then closed 1008 "unauthorized" with no frame before it. */
  private void assertRejected(WsClient client) {
    assertEquals(1008, client.awaitClose());
    assertEquals("unauthorized", client.closeReason());
    assertEquals(0, client.pending(), "no frame may precede the 1008 close");
  }

  @Test
  @DisplayName("a valid token in the Authorization header connects and says who the user is")
  void headerTokenConnects() {
    WsClient client = open("", token("alice"));
    JsonObject connected = client.next("connected");
    assertEquals("alice", connected.getString("userId"));
    assertEquals("test-node", connected.getString("node"));
    assertTrue(connected.getString("connectionId").startsWith("c-"));
    assertEquals(25000, connected.getInteger("heartbeatMs"));
    assertEquals(65536, connected.getJsonObject("limits").getInteger("maxFrameBytes"));
    assertEquals(100000, connected.getJsonObject("limits").getInteger("messagesPerMinute"), "the configured budget");
  }

  @Test
  @DisplayName("a valid token in the token query parameter connects")
  void queryTokenConnects() {
    assertEquals("bob", open("token=" + token("bob"), null).next("connected").getString("userId"));
  }

  @Test
  @DisplayName("no token: the upgrade completes, then closes 1008 unauthorized and nothing else")
  void missingTokenIsRejected() {
    assertRejected(open("", null));
  }

  @Test
  @DisplayName("a token signed with another secret is rejected")
  void badSignatureIsRejected() {
    assertRejected(open("token=" + DevTokens.mint("another-secret-entirely-0123456789", "alice", 3600, List.of()), null));
  }

  @Test
  @DisplayName("an expired token is rejected")
  void expiredTokenIsRejected() {
    long now = System.currentTimeMillis() / 1000;
    assertRejected(open("token=" + DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("exp", now - 10)), null));
  }

  @Test
  @DisplayName("a token without exp is rejected")
  void tokenWithoutExpIsRejected() {
    assertRejected(open("token=" + DevTokens.sign(SECRET, new JsonObject().put("sub", "alice")), null));
  }

  @Test
  @DisplayName("a token that is not yet valid (nbf in the future) is rejected")
  void notYetValidTokenIsRejected() {
    long now = System.currentTimeMillis() / 1000;
    assertRejected(open("token=" + DevTokens.sign(SECRET,
        new JsonObject().put("sub", "alice").put("exp", now + 3600).put("nbf", now + 600)), null));
  }

  @Test
  @DisplayName("an alg:none token is rejected")
  void algNoneIsRejected() {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    long now = System.currentTimeMillis() / 1000;
    String header = url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = url.encodeToString(new JsonObject().put("sub", "alice").put("exp", now + 3600).encode()
        .getBytes(StandardCharsets.UTF_8));
    assertRejected(open("token=" + header + "." + payload + ".", null));
  }

  @Test
  @DisplayName("a token whose sub is not a valid user id is rejected")
  void invalidSubjectIsRejected() {
    assertRejected(open("token=" + token("not a valid id"), null));
  }

  @Test
  @DisplayName("the header wins over the query: a bad header token is not rescued by a good query token")
  void headerWinsOverQuery() {
    assertRejected(open("token=" + token("alice"), "garbage.token.value"));
  }

  @Test
  @DisplayName("a ticket from POST /realtime/ticket connects once; its second use is rejected")
  void ticketIsOneTime() {
    Response issued = request(HttpMethod.POST, "/realtime/ticket", token("carol"), null);
    assertEquals(200, issued.status());
    String ticket = issued.json().getString("ticket");
    assertTrue(ticket.length() >= 22, "tickets are unguessable");
    assertTrue(issued.json().getLong("expiresAt") > System.currentTimeMillis());
    assertEquals("carol", open("ticket=" + ticket, null).next("connected").getString("userId"));
    assertRejected(open("ticket=" + ticket, null));
  }

  @Test
  @DisplayName("the ticket wins over the token query parameter")
  void ticketWinsOverQueryToken() {
    assertRejected(open("ticket=unknown-ticket&token=" + token("alice"), null));
  }

  @Test
  @DisplayName("POST /realtime/ticket needs the header: a query token is 401")
  void ticketEndpointNeedsHeader() {
    Response response = request(HttpMethod.POST, "/realtime/ticket?token=" + token("alice"), null, null);
    assertEquals(401, response.status());
    assertEquals("unauthorized", response.errorCode());
  }

  @Test
  @DisplayName("REST without a valid token is 401 with the JSON error shape")
  void restWithoutTokenIs401() {
    Response response = request(HttpMethod.GET, "/realtime/history/chat:lobby", "bad", null);
    assertEquals(401, response.status());
    assertEquals("unauthorized", response.errorCode());
    assertTrue(response.headers().get("content-type").startsWith("application/json"));
  }

  @Test
  @DisplayName("a ticket redeemed after its token's exp is refused like the token: 1008 and no connected before it")
  void ticketOutlivingItsTokenIsRejected() throws InterruptedException {
    long exp = System.currentTimeMillis() / 1000 + 2;
    String shortLived = DevTokens.sign(SECRET, new JsonObject().put("sub", "dora").put("exp", exp));
    Response issued = request(HttpMethod.POST, "/realtime/ticket", shortLived, null);
    assertEquals(200, issued.status(), issued.body());
    while (System.currentTimeMillis() <= exp * 1000 + 50) {
      Thread.sleep(50);
    }
    assertRejected(open("ticket=" + issued.json().getString("ticket"), null));
  }

  @Test
  @DisplayName("every 401 says the same thing: no reason, no configuration, no library text")
  void unauthorizedBodiesDoNotExplain() {
    long now = System.currentTimeMillis() / 1000;
    List<String> tokens = List.of(
        DevTokens.mint("another-secret-entirely-0123456789", "alice", 3600, List.of()),  // bad signature
        DevTokens.sign(SECRET, new JsonObject().put("sub", 42).put("exp", now + 60)),      // sub not a string
        DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("exp", "soon")),   // exp not a number
        DevTokens.sign(SECRET, new JsonObject().put("sub", "alice").put("exp", now - 60)), // expired
        "not.a.jwt");
    java.util.Set<String> messages = new java.util.HashSet<>();
    for (String token : tokens) {
      Response response = request(HttpMethod.GET, "/realtime/history/chat:lobby", token, null);
      assertEquals(401, response.status());
      assertEquals("unauthorized", response.errorCode());
      messages.add(response.json().getJsonObject("error").getString("message"));
    }
    messages.add(request(HttpMethod.GET, "/realtime/history/chat:lobby", null, null).json().getJsonObject("error").getString("message"));
    assertEquals(1, messages.size(), "one message for every failure: " + messages);
    String message = messages.iterator().next();
    for (String leak : List.of("signature", "audience", "issuer", "cast", "class", "expired", "exp")) {
      assertTrue(!message.toLowerCase().contains(leak), "the message explains too much: " + message);
    }
  }
}
