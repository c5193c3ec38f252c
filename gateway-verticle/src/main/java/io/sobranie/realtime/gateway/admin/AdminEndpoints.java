package io.sobranie.realtime.gateway.admin;

import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.gateway.http.Pages;
import io.sobranie.realtime.gateway.http.RestApi;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The admin page and its endpoints (PROTOCOL.md section 9): the page loads without credentials and
 * asks for one; the cluster's stats and the two actions check it on every request
 * ({@link AdminAccess}). The actions go through the {@link Inbound} pipeline like the service REST
 * endpoints, as the principal the credential names.
 */
public final class AdminEndpoints {
  private static final Logger LOG = Logger.getLogger(AdminEndpoints.class.getName());

  private final AdminAccess access;
  private final Inbound inbound;
  private final ClusterView cluster;

  public AdminEndpoints(AdminAccess access, Inbound inbound, ClusterView cluster) {
    this.access = access;
    this.inbound = inbound;
    this.cluster = cluster;
  }

  /** {@code GET /realtime/admin}: the page; never framed by another site (it has buttons that publish). */
  public void page(RoutingContext ctx) {
    ctx.response().putHeader("X-Frame-Options", "DENY").putHeader("Referrer-Policy", "no-referrer");
    Pages.serve(ctx, "admin.html");
  }

  /** {@code GET /realtime/admin/stats}: the aggregate of every node's latest snapshot. */
  public void stats(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    RestApi.respond(ctx, 200, admin(ctx, principal -> Future.succeededFuture(cluster.aggregate(System.currentTimeMillis()).encode())));
  }

  /** {@code POST /realtime/admin/publish}: {@code {channel, data, kind?}} → 200 {@code {channel, seq, id}}, as {@code POST /realtime/publish}. */
  public void publish(RoutingContext ctx) {
    RestApi.respond(ctx, 200, admin(ctx, principal -> {
      JsonObject body = RestApi.jsonBody(ctx);
      return inbound.publish(principal, body).map(reply -> {
        LOG.info("admin publish by=" + principal.publisherName() + " channel=" + reply.getString("channel") + " seq=" + reply.getLong("seq"));
        return reply.encode();
      });
    }));
  }

  /** {@code POST /realtime/admin/notify}: {@code {userId, kind, data}} → 202 {@code {id, seq}}, as {@code POST /realtime/send}. */
  public void notifyUser(RoutingContext ctx) {
    RestApi.respond(ctx, 202, admin(ctx, principal -> {
      JsonObject body = RestApi.jsonBody(ctx);
      return inbound.notify(principal, body).map(reply -> {
        LOG.info("admin notify by=" + principal.publisherName() + " user=" + body.getString("userId") + " id=" + reply.getString("id"));
        return reply.encode();
      });
    }));
  }

  /** Checks the credential before the body is looked at. */
  private Future<String> admin(RoutingContext ctx, Function<Principal, Future<String>> handler) {
    return access.check(ctx.request()).compose(handler);
  }
}
