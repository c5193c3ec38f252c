package io.sobranie.realtime.gateway.transport.sse;

import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.http.Admission;
import io.sobranie.realtime.gateway.http.Channels;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Shard;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /realtime/events}: admits the request, then streams a session's events (PROTOCOL.md section 4). */
public final class SseEndpoint {
  private static final String TRANSPORT = "sse";

  private final GatewayContext gateway;
  private final Admission admission;
  private final Shard shard;

  public SseEndpoint(GatewayContext gateway, Admission admission, Shard shard) {
    this.gateway = gateway;
    this.admission = admission;
    this.shard = shard;
  }

  public void handle(RoutingContext ctx) {
    if (!admission.served(ctx, TRANSPORT) || !admission.reserved(ctx, TRANSPORT)) {
      return;
    }
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    admission.startStream(ctx, TRANSPORT, lastEventId != null ? lastEventId : ctx.request().getParam("lastEventId"),
        shard.context(), start -> {
          SseTransport transport = new SseTransport(ctx.response(), Channels.of(ctx.request()), gateway.config().heartbeatMs());
          transport.serve(new Session(Session.Kind.SSE, start.principal(), transport, shard, gateway), start.cursor(),
              start.channels());
        });
  }
}
