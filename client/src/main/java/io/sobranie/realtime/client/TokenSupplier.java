package io.sobranie.realtime.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Gives a credential (a JWT, or a one-time ticket from {@code POST /realtime/ticket}). The client
 * asks on every connection attempt and on a REST call answered 401, so a supplier that refreshes
 * expiring tokens keeps a long-lived client connected. It may complete on any thread; it must not
 * block the caller (return a future and complete it later instead).
 */
@FunctionalInterface
public interface TokenSupplier {
  CompletionStage<String> get();

  /** Always the same token: a refusal by the server ends the client ({@link ConnectionState#CLOSED}). */
  static TokenSupplier fixed(String token) {
    CompletableFuture<String> value = CompletableFuture.completedFuture(token);
    return () -> value;
  }
}
