package io.sobranie.realtime.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 3, client {@code message}: channel, data (any JSON), optional idem (≤ 64 chars). */
class ChatMessageTest {
  private static final Principal ALICE = new Principal("alice", Set.of(), Set.of("c1"), 1_700_000_000_000L);

  private static void badRequest(JsonObject body) {
    RealtimeException e = assertThrows(RealtimeException.class, () -> ChatMessage.fromClient(ALICE, body), body.encode());
    assertEquals(ErrorCode.BAD_REQUEST, e.code(), body.encode());
  }

  private static JsonObject valid() {
    return new JsonObject().put("type", "message").put("channel", "chat:lobby").put("data", new JsonObject().put("text", "hi"));
  }

  @Test
  void validMessageIsRead() {
    ChatMessage m = ChatMessage.fromClient(ALICE, valid().put("idem", "k-1"));
    assertEquals(ALICE, m.principal());
    assertEquals("chat:lobby", m.channel());
    assertEquals(new JsonObject().put("text", "hi"), m.data());
    assertEquals("k-1", m.idem());
  }

  @Test
  void channelThatIsANumberIsBadRequest() {
    badRequest(valid().put("channel", 42));
  }

  @Test
  void missingChannelIsBadRequest() {
    JsonObject body = valid();
    body.remove("channel");
    badRequest(body);
  }

  @Test
  void invalidChannelNameIsBadRequest() {
    badRequest(valid().put("channel", "chat:a,b"));
  }

  @Test
  void missingDataIsBadRequest() {
    JsonObject body = valid();
    body.remove("data");
    badRequest(body);
  }

  @Test
  void nullDataIsBadRequest() {
    badRequest(valid().putNull("data"));
  }

  @Test
  @DisplayName("data may be any JSON value but null: string, number, false, array, object")
  void dataMayBeAnyJsonValue() {
    for (Object data : new Object[] {"text", 0, 1.5, false, new JsonArray().add(1), new JsonObject()}) {
      assertEquals(data, ChatMessage.fromClient(ALICE, valid().put("data", data)).data(), String.valueOf(data));
    }
  }

  @Test
  void idemThatIsANumberIsBadRequest() {
    badRequest(valid().put("idem", 123));
  }

  @Test
  void idemThatIsAnObjectIsBadRequest() {
    badRequest(valid().put("idem", new JsonObject().put("k", 1)));
  }

  @Test
  void idemOf65CharactersIsBadRequest() {
    badRequest(valid().put("idem", "k".repeat(65)));
  }

  @Test
  void idemOf64CharactersIsAccepted() {
    assertEquals("k".repeat(64), ChatMessage.fromClient(ALICE, valid().put("idem", "k".repeat(64))).idem());
  }

  @Test
  void emptyIdemIsBadRequest() {
    badRequest(valid().put("idem", ""));
  }

  @Test
  void absentIdemIsNull() {
    assertNull(ChatMessage.fromClient(ALICE, valid()).idem());
  }

  @Test
  @DisplayName("a client-supplied from is ignored: the publisher is always the principal")
  void clientSuppliedFromIsIgnored() {
    ChatMessage m = ChatMessage.fromClient(ALICE, valid().put("from", "mallory"));
    assertEquals("alice", m.principal().userId());
  }

  @Test
  void busFormRoundTrips() {
    ChatMessage m = ChatMessage.fromClient(ALICE, valid().put("idem", "k-1"));
    ChatMessage back = ChatMessage.fromJson(new JsonObject(m.toJson().encode()));
    assertEquals(m.principal(), back.principal());
    assertEquals(m.channel(), back.channel());
    assertEquals(m.data(), back.data());
    assertEquals(m.idem(), back.idem());
  }

  @Test
  void busFormWithoutPrincipalIsBadRequest() {
    RealtimeException e = assertThrows(RealtimeException.class, () -> ChatMessage.fromJson(valid()));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }

  @Test
  void busFormWithInvalidPrincipalUserIdIsBadRequest() {
    JsonObject body = valid().put("principal", new JsonObject().put("userId", "has space"));
    RealtimeException e = assertThrows(RealtimeException.class, () -> ChatMessage.fromJson(body));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }
}
