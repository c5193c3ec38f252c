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
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpServerRequest;
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
    String refusal = WebSocketHandshake.refusal(request);
    if (refusal != null) {
      RestApi.sendError(ctx, RealtimeException.badRequest(refusal));
      return;
    }
    if (!WebSocketHandshake.versionSupported(request)) {
      WebSocketHandshake.offerVersion(ctx.response());
      RestApi.sendError(ctx, RealtimeException.badRequest("unsupported WebSocket version (this server speaks 13)"));
      return;
    }
    if (!admission.originAllowed(ctx, TRANSPORT) || !admission.reserved(ctx, TRANSPORT)) {
      return;
    }
    request.pause();
    admission.authenticate(request).onComplete(auth -> shard.context().runOnContext(v -> accept(request, auth, kind)));
  }

  /** Upgrades on a reserved slot: a session takes the slot over, any other outcome gives it back. */
  private void accept(HttpServerRequest request, AsyncResult<Principal> auth, Session.Kind kind) {
    RealtimeConfig config = gateway.config();
    WebSocketTransport transport = new WebSocketTransport(shard.context(), config.heartbeatMs(), config.outboundBudgetBytes(),
        config.maxFrameBytes());
    // Frames up to twice the limit are read whole, so our 1009 close reaches the client;
    // a larger one breaks the input (the close is sent, the rest is not read).
    if (!WebSocketHandshake.complete(request, transport, 2 * config.maxFrameBytes(), config.wsCompression())) {
      admission.release();
      LOG.fine("connect transport=websocket ip=" + admission.remoteIp(request) + " outcome=gone-before-upgrade");
      return;
    }
    if (auth.failed()) {
      admission.release();
      admission.refused(request, TRANSPORT, "unauthorized", "unauthorized reason=" + Unauthenticated.reasonOf(auth.cause()));
      transport.refuse(Disconnect.UNAUTHORIZED);
      return;
    }
    admission.accepted(request, TRANSPORT, auth.result());
    transport.serve(new Session(kind, auth.result(), transport, shard, gateway), inbound);
  }
}
