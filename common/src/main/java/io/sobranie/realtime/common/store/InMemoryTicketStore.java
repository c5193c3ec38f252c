package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.auth.Principal;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** Tickets in this JVM's memory: one-time, removed on first use or by {@link #sweep()} once expired. */
final class InMemoryTicketStore implements TicketStore {
  private record Entry(Principal principal, long expiresAt) {
  }

  private final ConcurrentHashMap<String, Entry> tickets = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  InMemoryTicketStore(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public Future<String> issue(Principal principal, long ttlMs) {
    String ticket = Ids.secret(24);
    tickets.put(ticket, new Entry(principal, clock.getAsLong() + ttlMs));
    return Future.succeededFuture(ticket);
  }

  @Override
  public Future<Principal> redeem(String ticket) {
    Entry entry = ticket == null ? null : tickets.remove(ticket);
    boolean valid = entry != null && entry.expiresAt > clock.getAsLong();
    return Future.succeededFuture(valid ? entry.principal : null);
  }

  void sweep() {
    long now = clock.getAsLong();
    tickets.values().removeIf(entry -> entry.expiresAt <= now);
  }
}
