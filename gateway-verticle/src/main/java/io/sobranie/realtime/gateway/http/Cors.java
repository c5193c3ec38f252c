package io.sobranie.realtime.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * CORS for REST, SSE and polls: an allowed {@code Origin} (listed, or the server's own) gets the
 * headers, and a preflight its 204; any other request goes on without them, and the browser
 * enforces the rest. (vertx-web's CorsHandler fails an unlisted origin with 403, which would
 * refuse servers and same-origin pages that send one; it cannot tell the server's own origin.)
 */
public final class Cors implements Handler<RoutingContext> {
  private final OriginPolicy origins;

  public Cors(OriginPolicy origins) {
    this.origins = origins;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || !origins.allows(origin, request.getHeader(HttpHeaders.HOST))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin")
        .putHeader("Access-Control-Expose-Headers", "Retry-After");
    if (request.method() == HttpMethod.OPTIONS && request.getHeader("Access-Control-Request-Method") != null) {
      ctx.response().setStatusCode(204).putHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
          .putHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Filename, Last-Event-ID")
          .putHeader("Access-Control-Max-Age", "600").end();
      return;
    }
    ctx.next();
  }
}
