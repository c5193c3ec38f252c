package io.sobranie.realtime.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NameCharsTest {
  @Test
  void lettersDigitsAndTheGivenPunctuationUpToTheLength() {
    assertTrue(NameChars.valid("chat:room-1.a_b@x", 200, ":_-.@"));
    assertTrue(NameChars.valid("Zz09", 4, ""));
    assertTrue(NameChars.valid("a", 1, ""));
  }

  @Test
  void emptyTooLongOrOtherCharactersAreRefused() {
    assertFalse(NameChars.valid("", 10, ":"));
    assertFalse(NameChars.valid("abcde", 4, ""));
    assertFalse(NameChars.valid("a:b", 10, "_"), "punctuation not given");
    for (String bad : new String[] {"a b", "a,b", "a/b", "é", "a\u0000", "a[b", "a`b", "a{b"}) {
      assertFalse(NameChars.valid(bad, 10, ":_-.@"), bad);
    }
  }
}
