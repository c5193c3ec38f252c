package io.sobranie.realtime.common.store;

import io.vertx.core.Future;

/** All shared state of the realtime services, behind small interfaces (in-memory or Redis). */
public interface Store {
  HistoryStore history();

  TicketStore tickets();

  NotificationStore notifications();

  PresenceStore presence();

  /** Succeeds when the store answers (health checks). */
  Future<Void> ping();

  Future<Void> close();
}
