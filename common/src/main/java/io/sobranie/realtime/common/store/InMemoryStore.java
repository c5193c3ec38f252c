package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The embedded store: all state in this JVM, shared by every verticle of the node. State is per
 * node, which is why {@code CLUSTER=true} requires Redis. Call {@link #sweep()} periodically to
 * free expired streams and tickets.
 */
public final class InMemoryStore implements Store {
  private final InMemoryHistoryStore history;
  private final InMemoryTicketStore tickets;
  private final InMemoryNotificationStore notifications;
  private final InMemoryPresenceStore presence = new InMemoryPresenceStore();

  public InMemoryStore(Function<String, HistoryLimits> limitsOf) {
    this(limitsOf, System::currentTimeMillis);
  }

  /** With a clock of epoch milliseconds, so tests can move time. */
  public InMemoryStore(Function<String, HistoryLimits> limitsOf, LongSupplier clock) {
    this.history = new InMemoryHistoryStore(limitsOf, clock);
    this.tickets = new InMemoryTicketStore(clock);
    this.notifications = new InMemoryNotificationStore(clock);
  }

  @Override
  public HistoryStore history() {
    return history;
  }

  @Override
  public TicketStore tickets() {
    return tickets;
  }

  @Override
  public NotificationStore notifications() {
    return notifications;
  }

  @Override
  public PresenceStore presence() {
    return presence;
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Drops expired streams and tickets. */
  public void sweep() {
    history.sweep();
    tickets.sweep();
  }
}
