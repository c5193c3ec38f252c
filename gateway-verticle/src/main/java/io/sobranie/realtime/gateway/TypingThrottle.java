package io.sobranie.realtime.gateway;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code typing} with {@code active:true} passes at most once per user per channel per
 * {@value #INTERVAL_MS} ms on this node (PROTOCOL.md); extras are dropped silently.
 * {@code active:false} always passes and resets the window, so the next start shows at once.
 */
final class TypingThrottle {
  static final long INTERVAL_MS = 2000;
  private final ConcurrentHashMap<String, Long> lastActive = new ConcurrentHashMap<>();

  /** True when this typing event should be relayed. */
  boolean allow(String userId, String channel, boolean active, long now) {
    String key = userId + '\u0000' + channel;
    if (!active) {
      lastActive.remove(key);
      return true;
    }
    boolean[] allowed = {false};
    lastActive.compute(key, (k, last) -> {
      if (last == null || now - last >= INTERVAL_MS) {
        allowed[0] = true;
        return now;
      }
      return last;
    });
    return allowed[0];
  }

  /** Forgets windows that have passed, so the map stays as small as the set of current typists. */
  void sweep(long now) {
    lastActive.values().removeIf(last -> now - last >= INTERVAL_MS);
  }
}
