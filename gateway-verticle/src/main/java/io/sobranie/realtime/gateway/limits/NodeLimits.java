package io.sobranie.realtime.gateway.limits;

import io.sobranie.realtime.common.config.RealtimeConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits one gateway node enforces for everyone's sake: per-user message, signal and
 * subscribe budgets, the typing throttle, and the cap on open sessions (WebSocket, SSE and held
 * polls together).
 */
public final class NodeLimits {
  public final RateLimiter messages;
  public final RateLimiter signals;
  /** WebSocket subscribe and unsubscribe frames: each costs presence and store work. */
  public final RateLimiter subscribes;
  public final TypingThrottle typing = new TypingThrottle();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicInteger pendingConnections = new AtomicInteger();
  private final AtomicLong uploadBytes = new AtomicLong();
  private final RealtimeConfig config;
  private final ConcurrentHashMap<String, Integer> users = new ConcurrentHashMap<>();
  private final int maxSessions;

  public NodeLimits(RealtimeConfig config) {
    this.messages = new RateLimiter(config.messagesPerMinute());
    this.signals = new RateLimiter(config.signalsPerMinute());
    this.subscribes = new RateLimiter(config.subscribesPerMinute());
    this.maxSessions = config.maxConnections();
    this.config = config;
  }

  /**
   * Takes one of the {@code MAX_CONNECTIONS} session slots, before the asynchronous authentication
   * (a burst of upgrades must not all pass a check made before any of them is counted). The
   * caller gives it back with {@link #release} unless a session takes it over.
   */
  public boolean reserve() {
    while (true) {
      int now = sessions.get();
      if (now >= maxSessions) {
        return false;
      }
      if (sessions.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Gives back a slot taken by {@link #reserve}. */
  public void release() {
    sessions.decrementAndGet();
  }

  /** A session opened on a reserved slot. */
  public void opened(String userId) {
    users.merge(userId, 1, Integer::sum);
  }

  /** A session closed: its slot is free again. */
  public void closed(String userId) {
    release();
    users.computeIfPresent(userId, (id, count) -> count <= 1 ? null : count - 1);
  }

  /**
   * Takes an upload slot for {@code bytes} (its declared length): false when the node already
   * receives {@code MAX_UPLOADS} files or {@code MAX_UPLOAD_BYTES_IN_FLIGHT} bytes.
   */
  public boolean reserveUpload(long bytes) {
    int files = uploads.incrementAndGet();
    long total = uploadBytes.addAndGet(bytes);
    if (files > config.maxUploads() || total > config.maxUploadBytesInFlight()) {
      releaseUpload(bytes);
      return false;
    }
    return true;
  }

  public void releaseUpload(long bytes) {
    uploads.decrementAndGet();
    uploadBytes.addAndGet(-bytes);
  }

  /** Takes one of the {@code MAX_PENDING_CONNECTIONS} slots of connections that are neither WebSocket nor session. */
  public boolean reservePending() {
    if (pendingConnections.incrementAndGet() > config.maxPendingConnections()) {
      pendingConnections.decrementAndGet();
      return false;
    }
    return true;
  }

  public void releasePending() {
    pendingConnections.decrementAndGet();
  }

  /** Distinct users with at least one session on this node. */
  public int localUsers() {
    return users.size();
  }

  public void sweep(long now) {
    messages.sweep(now);
    signals.sweep(now);
    subscribes.sweep(now);
    typing.sweep(now);
  }
}
