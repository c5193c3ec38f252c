package io.sobranie.realtime.gateway.transport.poll;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.http.Admission;
import io.sobranie.realtime.gateway.http.Channels;
import io.sobranie.realtime.gateway.http.RestApi;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Shard;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /realtime/poll}: admits the request, then holds it until there are events or the timeout (PROTOCOL.md section 5). */
public final class PollEndpoint {
  static final long DEFAULT_TIMEOUT_MS = 25_000;
  static final long MAX_TIMEOUT_MS = 60_000;
  private static final String TRANSPORT = "poll";

  private final GatewayContext gateway;
  private final Admission admission;
  private final Shard shard;

  public PollEndpoint(GatewayContext gateway, Admission admission, Shard shard) {
    this.gateway = gateway;
    this.admission = admission;
    this.shard = shard;
  }

  public void handle(RoutingContext ctx) {
    if (!admission.served(ctx, TRANSPORT)) {
      return;
    }
    long timeoutMs;
    try {
      Long requested = RestApi.queryNumber(ctx, "timeoutMs");
      timeoutMs = requested == null ? DEFAULT_TIMEOUT_MS : Math.min(requested, MAX_TIMEOUT_MS);
    } catch (RealtimeException e) {
      RestApi.sendError(ctx, e);
      return;
    }
    if (!admission.reserved(ctx, TRANSPORT)) {
      return;
    }
    String cursor = ctx.request().getParam("cursor");
    admission.startStream(ctx, TRANSPORT, cursor, shard.context(), start -> {
      PollTransport transport = new PollTransport(ctx.response(), Channels.of(ctx.request()));
      transport.serve(new Session(Session.Kind.POLL, start.principal(), transport, shard, gateway), start.cursor(),
          start.channels(), timeoutMs, cursor == null || cursor.isEmpty());
    });
  }
}
