package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.auth.Principal;
import io.vertx.core.Future;

/** One-time connection tickets (PROTOCOL.md section 1), valid on any node. */
public interface TicketStore {
  /** Issues an unguessable ticket for {@code principal}, valid for {@code ttlMs}. */
  Future<String> issue(Principal principal, long ttlMs);

  /** Spends a ticket: the principal it was issued for, or null when unknown, expired or already spent. */
  Future<Principal> redeem(String ticket);
}
