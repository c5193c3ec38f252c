package io.sobranie.realtime.gateway.http;

import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.auth.TokenVerifier;
import io.sobranie.realtime.common.store.TicketStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Finds and checks a request's credentials (PROTOCOL.md section 1). Sources, first found wins:
 * {@code Authorization: Bearer}, then {@code ?ticket=} (where tickets are allowed), then
 * {@code ?token=}. A found but bad credential fails; there is no falling through to the next.
 */
public final class Authenticator {
  private static final String BEARER = "Bearer ";
  private final TokenVerifier verifier;
  private final TicketStore tickets;

  public Authenticator(TokenVerifier verifier, TicketStore tickets) {
    this.verifier = verifier;
    this.tickets = tickets;
  }

  /**
   * Fails with {@link Unauthenticated}: one message for every client, the reason for logs only.
   * A ticket carries the principal of the token it was issued for, so a ticket redeemed after that
   * token's {@code exp} is refused like the token would be.
   */
  public Future<Principal> authenticate(HttpServerRequest request, boolean allowTicket) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      return header.regionMatches(true, 0, BEARER, 0, BEARER.length())
          ? checked(verifier.verify(header.substring(BEARER.length()).trim()))
          : unauthorized("not-bearer");
    }
    String ticket = request.getParam("ticket");
    if (allowTicket && ticket != null) {
      return tickets.redeem(ticket).compose(principal -> principal == null ? unauthorized("bad-ticket")
          : principal.expiresAtMs() > 0 && principal.expiresAtMs() <= System.currentTimeMillis() ? unauthorized("expired")
          : Future.succeededFuture(principal));
    }
    String token = request.getParam("token");
    return token == null ? unauthorized("no-token") : checked(verifier.verify(token));
  }

  /** Authenticates from the {@code Authorization} header only ({@code POST /realtime/ticket}). */
  public Future<Principal> authenticateHeader(HttpServerRequest request) {
    return request.getHeader(HttpHeaders.AUTHORIZATION) == null
        ? unauthorized("no-header")
        : authenticate(request, false);
  }

  private static Future<Principal> checked(Future<Principal> verified) {
    return verified.recover(failure -> unauthorized(failure instanceof TokenVerifier.InvalidTokenException invalid
        ? invalid.reason().word() : "error"));
  }

  private static Future<Principal> unauthorized(String reason) {
    return Future.failedFuture(new Unauthenticated(reason));
  }
}
