package io.sobranie.realtime.common;

/**
 * Names made of ASCII letters, digits and a few punctuation marks (channel names, user ids),
 * checked without a regex: a {@code Matcher} per check was among the largest allocations on
 * the message path, which checks names several times per message.
 */
public final class NameChars {
  private NameChars() {
  }

  /** True for 1..{@code maxLength} characters, each an ASCII letter or digit or one of {@code punctuation}. */
  public static boolean valid(String name, int maxLength, String punctuation) {
    int length = name.length();
    if (length == 0 || length > maxLength) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i);
      boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alphanumeric && punctuation.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
