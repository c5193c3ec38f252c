package io.sobranie.realtime.gateway.http;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.DevTokens;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.gateway.GatewayContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Conveniences for local development, routed only when {@code DEV_MODE=true}: a token for any
 * name (the demo page's sign-in), and a test notification to oneself.
 */
public final class DevEndpoints {
  public static final long TOKEN_TTL_SECONDS = 24 * 3600;

  private final GatewayContext gateway;
  private final Authenticator authenticator;

  public DevEndpoints(GatewayContext gateway, Authenticator authenticator) {
    this.gateway = gateway;
    this.authenticator = authenticator;
  }

  /** {@code POST /realtime/dev/token {user}} → {@code {token}} (HS256 with the server's secret). */
  public void token(RoutingContext ctx) {
    RestApi.respond(ctx, 200, Future.<String>succeededFuture().map(v -> {
      String user = JsonFields.requireString(RestApi.jsonBody(ctx), "user");
      if (!Principal.isValidUserId(user)) {
        throw RealtimeException.badRequest("'user' must be 1..64 characters of [A-Za-z0-9_-.@]");
      }
      if (gateway.config().jwtSecret() == null) {
        throw new RealtimeException(ErrorCode.UNAVAILABLE, "dev tokens need an HS256 secret (JWT_SECRET or none at all)");
      }
      return new JsonObject().put("token", DevTokens.mint(gateway.config().jwtSecret(), user, TOKEN_TTL_SECONDS, List.of())).encode();
    }));
  }

  /** {@code POST /realtime/dev/notify {kind?, data?}}: a notification for the caller → {@code {id, seq}}. */
  public void notifyMe(RoutingContext ctx) {
    RestApi.respond(ctx, 202, authenticator.authenticate(ctx.request(), false).compose(principal -> {
      JsonObject body = ctx.body().length() == 0 ? new JsonObject() : RestApi.jsonBody(ctx);
      String kind = JsonFields.optionalStrictString(body, "kind");
      Object data = body.getValue("data");
      JsonObject notify = new JsonObject().put("userId", principal.userId()).put("kind", kind == null ? "test" : kind)
          .put("data", data == null ? new JsonObject().put("text", "This is a test notification") : data);
      return gateway.bus().request(Addresses.NOTIFY, notify).map(JsonObject::encode);
    }));
  }
}
