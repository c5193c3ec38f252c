package io.sobranie.realtime.common.channel;

import io.sobranie.realtime.common.NameChars;
import io.sobranie.realtime.common.RealtimeException;

/**
 * A validated channel name: {@code namespace:rest}, or one of the bare names
 * {@value #NOTIFICATIONS} and {@value #BROADCAST}. 1..200 characters of
 * {@code [A-Za-z0-9:_\-.@]} (no commas, so channel lists can be comma-separated).
 */
public record Channel(String name, String namespace, String rest) {
  public static final String NOTIFICATIONS = "notifications";
  public static final String BROADCAST = "broadcast";
  private static final String PUNCTUATION = ":_-.@";

  /** Parses a name from outside input; an invalid one is a {@code bad_request}. */
  public static Channel parse(String name) {
    if (name == null || !NameChars.valid(name, 200, PUNCTUATION)) {
      throw RealtimeException.badRequest("invalid channel name");
    }
    if (name.equals(NOTIFICATIONS) || name.equals(BROADCAST)) {
      return new Channel(name, name, "");
    }
    int colon = name.indexOf(':');
    if (colon <= 0 || colon == name.length() - 1) {
      throw RealtimeException.badRequest("invalid channel name: expected namespace:name");
    }
    return new Channel(name, name.substring(0, colon), name.substring(colon + 1));
  }

  public boolean isBare() {
    return rest.isEmpty();
  }

  @Override
  public String toString() {
    return name;
  }
}
