package io.sobranie.realtime.gateway.session;

import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.common.config.RealtimeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's outbound budget (PROTOCOL.md, slow consumer), by bytes: what its transport holds
 * unsent plus the live events its subscriptions hold during a replay. Past
 * {@code OUTBOUND_LIMIT_BYTES} the session is closed at once; past {@code OUTBOUND_BUDGET_BYTES}
 * the slow-consumer clock starts, and a session still behind after {@code SLOW_CONSUMER_MS} is
 * closed by the heartbeat sweep. Replays are paced to it ({@link #whenWritable}).
 */
final class OutboundBudget {
  private final Session session;
  private final long budget;
  private final long limit;
  private final long slowMs;
  /** Since when the budget has been exceeded (0: it is not). */
  private long behindSince;
  /** Bytes of live events held by subscriptions while their replay is written. */
  private long bufferedBytes;
  /** Past the hard limit: closing, nothing more is written. */
  private boolean overLimit;
  /** Actions waiting for the backlog to fall under the budget; null when none (most connections, always). */
  private List<Runnable> onDrain;

  OutboundBudget(Session session, RealtimeConfig config) {
    this.session = session;
    this.budget = config.outboundBudgetBytes();
    this.limit = config.outboundLimitBytes();
    this.slowMs = config.slowConsumerMs();
  }

  /** Everything the client has yet to receive. */
  private long backlog() {
    return session.transport().backlog() + bufferedBytes;
  }

  /** Whether the client can take more within the budget (a closed transport takes, and drops, anything). */
  boolean writable() {
    return session.closed() || session.transport().isClosed() || backlog() < budget;
  }

  boolean overLimit() {
    return overLimit;
  }

  /** Runs {@code action} once the backlog is under the budget (now, if it is). */
  void whenWritable(Runnable action) {
    if (writable()) {
      action.run();
    } else {
      if (onDrain == null) {
        onDrain = new ArrayList<>();
      }
      onDrain.add(action);
    }
  }

  /** Subscriptions hold {@code bytes} more (or, negative, fewer) live events during a replay. */
  void buffered(long bytes) {
    bufferedBytes += bytes;
    if (bytes > 0) {
      noticeBacklog();
    }
  }

  /** The backlog went down: the slow-consumer clock stops and paced writes resume, once under the budget. */
  void drained() {
    if (!writable()) {
      return;
    }
    behindSince = 0;
    if (onDrain != null) {
      List<Runnable> waiting = onDrain;
      onDrain = null;
      waiting.forEach(Runnable::run);
    }
  }

  /** After a write: past the limit, the session is closed; past the budget, the clock starts. */
  void noticeBacklog() {
    if (session.closed() || overLimit) {
      return;
    }
    long backlog = backlog();
    if (backlog > limit) {
      overLimit = true;
      // Closed after the current delivery loop (closing unsubscribes, which that loop iterates).
      session.closeSoon(Disconnect.OUTBOUND_LIMIT);
    } else if (behindSince == 0 && backlog > budget) {
      behindSince = System.currentTimeMillis();
    }
  }

  /**
   * From the heartbeat sweep: whether the session has stayed over its budget for
   * {@code SLOW_CONSUMER_MS}, whatever it waits for (a stalled replay too). A burst that drains in
   * time is not slow; a recovering client that reads keeps under the budget (replays are paced).
   */
  boolean tooSlow(long now) {
    if (behindSince == 0 || overLimit) {
      return false;
    }
    if (backlog() <= budget) {
      behindSince = 0;
      return false;
    }
    return now - behindSince >= slowMs;
  }
}
