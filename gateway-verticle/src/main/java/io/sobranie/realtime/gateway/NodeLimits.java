package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.config.RealtimeConfig;
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

  void opened() {
    sessions.incrementAndGet();
  }

  void closed() {
    sessions.decrementAndGet();
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
