package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * A client's settings, fixed at build time.
 *
 * @param socketCredential asked on every connection attempt: a token, or a ticket when {@code tickets}
 * @param fixedCredential  the credential never changes, so a refusal ends the client at once
 * @param restToken        the token REST calls carry, or null (a client with tickets only)
 */
record ClientOptions(String baseUrl, TokenSupplier socketCredential, boolean tickets, boolean fixedCredential,
                     TokenSupplier restToken, Backoff backoff, int queueLimit, Duration openTimeout,
                     Duration requestTimeout, ObjectMapper mapper, HttpClient http, DoubleSupplier random) {
  /** An event ahead of its seq waits this long for the gap to fill before it counts as lost. */
  static final long GAP_WAIT_MS = 1_500;
  /** While typing, {@code typing(channel, true)} is sent again at most this often (the server relays one per 2 s). */
  static final long TYPING_REFRESH_MS = 2_500;
  /** The second refused credential in a row ends the client: the supplier gives bad ones. */
  static final int MAX_REFUSALS = 2;
}
