package io.sobranie.realtime.gateway.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The typing rule of PROTOCOL.md (liveness and limits), per user and channel on this node:
 * {@code active:true} passes at most once per {@value #INTERVAL_MS} ms; {@code active:false}
 * passes once after each {@code active:true} that passed (a stop is never lost, a stop with no
 * start before it is dropped). However a client alternates, one user's typing costs at most two
 * fan-outs per channel per interval. What does not pass is dropped silently.
 */
public final class TypingThrottle {
  public static final long INTERVAL_MS = 2000;
  /** A start not followed by a stop for this long is forgotten (clients time typing out themselves). */
  public static final long FORGET_MS = 60_000;

  private static final class Window {
    long startedAt;
    boolean stopOwed;
  }

  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** True when this typing event should be relayed. */
  public boolean allow(String userId, String channel, boolean active, long now) {
    boolean[] allowed = {false};
    windows.compute(userId + '\u0000' + channel, (key, window) -> {
      if (active) {
        if (window == null) {
          window = new Window();
        } else if (now - window.startedAt < INTERVAL_MS) {
          return window;
        }
        window.startedAt = now;
        window.stopOwed = true;
        allowed[0] = true;
        return window;
      }
      if (window != null && window.stopOwed) {
        window.stopOwed = false;
        allowed[0] = true;
      }
      return window;
    });
    return allowed[0];
  }

  /** Forgets windows that no longer decide anything, so the map stays as small as the set of current typists. */
  public void sweep(long now) {
    windows.values().removeIf(w -> now - w.startedAt >= (w.stopOwed ? FORGET_MS : INTERVAL_MS));
  }
}
