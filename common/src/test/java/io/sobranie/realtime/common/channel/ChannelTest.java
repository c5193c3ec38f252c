package io.sobranie.realtime.common.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 2: channel names. */
class ChannelTest {

  private static void badRequest(String name) {
    RealtimeException e = assertThrows(RealtimeException.class, () -> Channel.parse(name), String.valueOf(name));
    assertEquals(ErrorCode.BAD_REQUEST, e.code(), String.valueOf(name));
  }

  @Test
  void namespacedNameSplitsIntoNamespaceAndRest() {
    Channel c = Channel.parse("chat:room-1");
    assertEquals("chat:room-1", c.name());
    assertEquals("chat", c.namespace());
    assertEquals("room-1", c.rest());
    assertFalse(c.isBare());
    assertEquals("chat:room-1", c.toString());
  }

  @Test
  void restMayContainFurtherColons() {
    Channel c = Channel.parse("dm:alice:bob");
    assertEquals("dm", c.namespace());
    assertEquals("alice:bob", c.rest());
  }

  @Test
  void everyAllowedCharacterIsAccepted() {
    String name = "Ns_9-.@:AZaz09_-.@:x";
    assertEquals(name, Channel.parse(name).name());
  }

  @Test
  void bareNotificationsIsValid() {
    Channel c = Channel.parse("notifications");
    assertEquals("notifications", c.namespace());
    assertTrue(c.isBare());
  }

  @Test
  void bareBroadcastIsValid() {
    Channel c = Channel.parse("broadcast");
    assertEquals("broadcast", c.namespace());
    assertTrue(c.isBare());
  }

  @Test
  void nameOf200CharactersIsValid() {
    String name = "chat:" + "a".repeat(195);
    assertEquals(200, name.length());
    assertEquals(name, Channel.parse(name).name());
  }

  @Test
  void nameOf201CharactersIsBadRequest() {
    String name = "chat:" + "a".repeat(196);
    assertEquals(201, name.length());
    badRequest(name);
  }

  @Test
  @DisplayName("a comma is not allowed (channel lists are comma-separated)")
  void commaIsBadRequest() {
    badRequest("chat:a,b");
  }

  @Test
  void spaceIsBadRequest() {
    badRequest("chat:a b");
  }

  @Test
  void emptyRestIsBadRequest() {
    badRequest("chat:");
  }

  @Test
  void leadingColonIsBadRequest() {
    badRequest(":room");
  }

  @Test
  void emptyNameIsBadRequest() {
    badRequest("");
  }

  @Test
  void nullNameIsBadRequest() {
    badRequest(null);
  }

  @Test
  @DisplayName("a bare name other than notifications/broadcast is a bad request")
  void otherBareNameIsBadRequest() {
    badRequest("lobby");
  }

  @Test
  void slashIsBadRequest() {
    badRequest("chat:a/b");
  }

  @Test
  void nonAsciiLetterIsBadRequest() {
    badRequest("chat:café");
  }

  @Test
  void newlineIsBadRequest() {
    badRequest("chat:a\n");
  }
}
