package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.FrameType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client keeps its own copy of the protocol's names (it must not depend on the server's
 * modules at run time); these tests hold the copies to the server's {@code FrameType} and
 * {@code ErrorCode}.
 */
class ProtocolConstantsTest {
  private static Set<String> stringConstants(Class<?> type) {
    return Arrays.stream(type.getDeclaredFields())
        .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
        .map(ProtocolConstantsTest::value).collect(Collectors.toCollection(TreeSet::new));
  }

  private static String value(Field field) {
    try {
      field.setAccessible(true);
      return (String) field.get(null);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("the client knows every frame type of the server's FrameType, and no other")
  void frameTypes() {
    Set<String> client = stringConstants(Frames.class);
    client.removeAll(Set.of(Frames.NOTIFICATIONS, Frames.BROADCAST)); // channel names, not types
    assertEquals(stringConstants(FrameType.class), client);
  }

  @Test
  @DisplayName("every server error code is a constant of RealtimeException")
  void errorCodes() {
    Set<String> server = Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toCollection(TreeSet::new));
    Set<String> client = stringConstants(RealtimeException.class);
    client.retainAll(server);
    assertEquals(server, client);
  }
}
