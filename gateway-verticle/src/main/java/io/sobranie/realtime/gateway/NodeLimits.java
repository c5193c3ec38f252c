package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.config.RealtimeConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The limits one gateway node enforces for everyone's sake: per-user message and signal budgets,
 * the typing throttle, and the cap on open sessions (WebSocket, SSE and held polls together).
 */
final class NodeLimits {
  final RateLimiter messages;
  final RateLimiter signals;
  final TypingThrottle typing = new TypingThrottle();
  private final AtomicInteger sessions = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> users = new ConcurrentHashMap<>();
  private final int maxSessions;

  NodeLimits(RealtimeConfig config) {
    this.messages = new RateLimiter(config.messagesPerMinute());
    this.signals = new RateLimiter(config.signalsPerMinute());
    this.maxSessions = config.maxConnections();
  }

  /** True when one more session fits under {@code MAX_CONNECTIONS}. */
  boolean hasRoom() {
    return sessions.get() < maxSessions;
  }

  void opened(String userId) {
    sessions.incrementAndGet();
    users.merge(userId, 1, Integer::sum);
  }

  void closed(String userId) {
    sessions.decrementAndGet();
    users.computeIfPresent(userId, (id, count) -> count <= 1 ? null : count - 1);
  }

  /** Distinct users with at least one session on this node. */
  int localUsers() {
    return users.size();
  }

  int openSessions() {
    return sessions.get();
  }

  void sweep(long now) {
    messages.sweep(now);
    signals.sweep(now);
    typing.sweep(now);
  }
}
