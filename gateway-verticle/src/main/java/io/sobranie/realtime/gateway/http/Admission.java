package io.sobranie.realtime.gateway.http;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.config.TrustedProxies;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.sobranie.realtime.gateway.session.Cursor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Who gets a session: the transport must be served here ({@code TRANSPORTS}), the node must have
 * room ({@code MAX_CONNECTIONS}, reserved before the asynchronous authentication), the browser's
 * origin must be allowed (WebSocket), and the credentials valid. Every attempt is counted and
 * logged with its outcome (PROTOCOL.md section 1; never the token).
 */
public final class Admission {
  private static final Logger LOG = Logger.getLogger(Admission.class.getName());
  private static final String X_FORWARDED_FOR = "X-Forwarded-For";

  private final GatewayContext gateway;
  private final Authenticator authenticator;
  private final OriginPolicy origins;
  private final Inbound inbound;

  public Admission(GatewayContext gateway, Authenticator authenticator, OriginPolicy origins, Inbound inbound) {
    this.gateway = gateway;
    this.authenticator = authenticator;
    this.origins = origins;
    this.inbound = inbound;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  /** False (and a 503 sent) when {@code TRANSPORTS} leaves this transport out. */
  public boolean served(RoutingContext ctx, String transport) {
    if (gateway.config().transports().contains(transport)) {
      return true;
    }
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "3600");
    RestApi.sendError(ctx, new RealtimeException(ErrorCode.UNAVAILABLE, transport + " is not served here; use "
        + String.join(" or ", gateway.config().transports())));
    return false;
  }

  /** False (and a 403 sent) when a browser page of a foreign origin opens a WebSocket. */
  public boolean originAllowed(RoutingContext ctx, String transport) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origins.allows(origin, request.getHeader(HttpHeaders.HOST))) {
      return true;
    }
    refused(request, transport, "origin", "origin-refused origin=" + origin);
    RestApi.sendError(ctx, RealtimeException.forbidden("origin not allowed"));
    return false;
  }

  /**
   * Reserves a session slot; false (and a 503 with Retry-After sent) when the node already holds
   * {@code MAX_CONNECTIONS} sessions. A true answer must end in a session or a {@link #release}.
   */
  public boolean reserved(RoutingContext ctx, String transport) {
    if (gateway.limits().reserve()) {
      return true;
    }
    refused(ctx.request(), transport, "cap", "refused-cap");
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
    RestApi.sendError(ctx, new RealtimeException(ErrorCode.UNAVAILABLE, "this node is full; retry shortly"));
    return false;
  }

  /** Gives back a slot no session took over. */
  public void release() {
    gateway.limits().release();
  }

  /** The principal of a session request (token or ticket, header or query). */
  public Future<Principal> authenticate(HttpServerRequest request) {
    return authenticator.authenticate(request, true);
  }

  /** What an SSE stream or a poll starts with, checked before anything is streamed or held. */
  public record StreamStart(Principal principal, List<String> channels, Cursor cursor) {
  }

  /**
   * Admits an SSE or poll request on a reserved slot: authenticates it, checks its channels and
   * cursor, logs the outcome, then runs {@code open} on {@code loop}; a refusal is answered and
   * the slot given back (so is the slot of a client gone meanwhile).
   */
  public void startStream(RoutingContext ctx, String transport, String cursor, Context loop, Consumer<StreamStart> open) {
    HttpServerRequest request = ctx.request();
    authenticate(request)
        .map(principal -> new StreamStart(principal, inbound.streamChannels(principal, request.getParam("channels")),
            Cursor.decode(cursor)))
        .onComplete(start -> loop.runOnContext(v -> {
          if (start.succeeded()) {
            accepted(request, transport, start.result().principal());
          } else {
            RealtimeException error = RealtimeException.from(start.cause());
            refused(request, transport, error.code().wire(),
                error instanceof Unauthenticated u ? "unauthorized reason=" + u.reason() : error.code().wire());
          }
          if (start.failed() || ctx.response().closed()) {
            release();
            if (start.failed()) {
              RestApi.sendError(ctx, start.cause());
            }
            return;
          }
          open.accept(start.result());
        }));
  }

  public void accepted(HttpServerRequest request, String transport, Principal principal) {
    gateway.metrics().connect(transport, "accepted");
    LOG.info("connect transport=" + transport + " user=" + principal.userId() + " ip=" + remoteIp(request) + " outcome=accepted");
  }

  /** Counts a refused attempt under {@code outcome} and logs it with {@code detail}. */
  public void refused(HttpServerRequest request, String transport, String outcome, String detail) {
    gateway.metrics().connect(transport, outcome);
    LOG.info("connect transport=" + transport + " ip=" + remoteIp(request) + " outcome=" + detail);
  }

  /**
   * The client's address for the connection log: the socket peer, or, when the peer is one of
   * {@code TRUSTED_PROXIES}, the client its {@code X-Forwarded-For} names (then with {@code via=peer}).
   */
  public String remoteIp(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    TrustedProxies proxies = gateway.config().trustedProxies();
    if (proxies.isEmpty()) {
      return peer;
    }
    String client = proxies.clientAddress(peer, request.headers().getAll(X_FORWARDED_FOR));
    return client.equals(peer) ? peer : client + " via=" + peer;
  }
}
