package io.sobranie.realtime.gateway.admin;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.gateway.http.Authenticator;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Who may use the admin endpoints: {@code Authorization: Bearer} with a service token (role
 * {@code service}), or with {@code ADMIN_TOKEN} when it is set, which acts as the service
 * {@code service:admin}. Header only: a credential in a URL ends up in logs and browser history.
 * A missing or bad credential is 401 (the one message every client gets), a valid token without
 * the service role 403.
 */
public final class AdminAccess {
  /** The principal {@code ADMIN_TOKEN} acts as: what it publishes comes {@code from} {@code service:admin}. */
  public static final Principal ADMIN = new Principal("admin", Set.of(Principal.ROLE_SERVICE), Set.of(), 0);
  private static final String BEARER = "Bearer ";

  private final Authenticator authenticator;
  private final byte[] adminToken;

  /** @param adminToken {@code ADMIN_TOKEN}, or null: service tokens only */
  public AdminAccess(Authenticator authenticator, String adminToken) {
    this.authenticator = authenticator;
    this.adminToken = adminToken == null ? null : adminToken.getBytes(StandardCharsets.UTF_8);
  }

  /** The principal the request acts as, or a failed future: {@code unauthorized} / {@code forbidden}. */
  public Future<Principal> check(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (adminToken != null && header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
        // constant time: the comparison must not tell how much of a guess was right
        && MessageDigest.isEqual(adminToken, header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(ADMIN);
    }
    return authenticator.authenticateHeader(request).compose(principal -> principal.isService()
        ? Future.succeededFuture(principal)
        : Future.failedFuture(RealtimeException.forbidden("the admin endpoints are for service tokens (role 'service') and ADMIN_TOKEN")));
  }
}
