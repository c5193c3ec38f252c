package io.sobranie.realtime.gateway.transport.ws;

import io.sobranie.realtime.common.Disconnect;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.http.Admission;
import io.sobranie.realtime.gateway.http.RestApi;
import io.sobranie.realtime.gateway.http.Unauthenticated;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Shard;
import io.netty.channel.Channel;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;

/**
 * {@code GET /realtime/ws} and the signaling-only {@code /realtime/webrtc/signaling}: admits the
 * upgrade, completes it, then serves a session or, for bad credentials, closes 1008
 * {@code unauthorized} with no other frame (PROTOCOL.md section 1).
 */
public final class WebSocketEndpoint {
  private static final Logger LOG = Logger.getLogger(WebSocketEndpoint.class.getName());
  private static final String TRANSPORT = "websocket";

  private final GatewayContext gateway;
  private final Admission admission;
  private final Inbound inbound;
  private final Shard shard;

  public WebSocketEndpoint(GatewayContext gateway, Admission admission, Inbound inbound, Shard shard) {
    this.gateway = gateway;
    this.admission = admission;
    this.inbound = inbound;
    this.shard = shard;
  }

  /** @param kind {@link Session.Kind#WEBSOCKET} or {@link Session.Kind#SIGNALING} */
  public void handle(RoutingContext ctx, Session.Kind kind) {
    HttpServerRequest request = ctx.request();
    if (!admission.served(ctx, TRANSPORT)) {
      return;
    }
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      RestApi.sendError(ctx, RealtimeException.badRequest("expected a WebSocket upgrade"));
      return;
    }
    if (!admission.originAllowed(ctx, TRANSPORT) || !admission.reserved(ctx, TRANSPORT)) {
      return;
    }
    request.pause();
    admission.authenticate(request).onComplete(auth -> shard.context().runOnContext(v -> accept(request, auth, kind)));
  }

  /**
   * The Netty channel of the request's connection, which the WebSocket keeps after the upgrade.
   * Vert.x has no public way to it (vertx-web wraps the socket, and {@code WebSocketInternal}
   * sits under that wrapper); its connections are {@link ConnectionBase}s, which expose it.
   */
  private static Channel channelOf(HttpServerRequest request) {
    return ((ConnectionBase) request.connection()).channel();
  }

  /** Upgrades on a reserved slot: a session takes the slot over, any other outcome gives it back. */
  private void accept(HttpServerRequest request, AsyncResult<Principal> auth, Session.Kind kind) {
    request.toWebSocket().onComplete(upgraded -> {
      if (upgraded.failed()) {
        admission.release();
        LOG.fine("connect transport=websocket ip=" + admission.remoteIp(request) + " outcome=upgrade-failed: "
            + upgraded.cause().getMessage());
        return;
      }
      if (auth.failed()) {
        admission.release();
        admission.refused(request, TRANSPORT, "unauthorized", "unauthorized reason=" + Unauthenticated.reasonOf(auth.cause()));
        upgraded.result().close((short) Disconnect.UNAUTHORIZED.closeCode(), Disconnect.UNAUTHORIZED.reason());
        return;
      }
      admission.accepted(request, TRANSPORT, auth.result());
      WebSocketTransport transport = new WebSocketTransport(upgraded.result(), channelOf(request),
          gateway.config().heartbeatMs(), gateway.config().outboundBudgetBytes(), gateway.config().maxFrameBytes());
      transport.serve(new Session(kind, auth.result(), transport, shard, gateway), inbound);
    });
  }
}
