package io.sobranie.realtime.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The static pages the gateway serves from its jar ({@code webroot/}), sent without blocking. */
public final class Pages {
  private Pages() {
  }

  public static void serve(RoutingContext ctx, String file) {
    String type = file.endsWith(".js") ? "text/javascript; charset=utf-8"
        : file.endsWith(".yaml") ? "application/yaml; charset=utf-8" : "text/html; charset=utf-8";
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type).putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .sendFile("webroot/" + file)
        .onFailure(ctx::fail);
  }

  /**
   * {@code GET /realtime/demo/config} → {@code {"devMode":bool}}: whether the dev endpoints
   * ({@code /realtime/dev/token}, {@code /realtime/dev/notify}) are routed, so the demo page knows
   * which sign-in to offer without probing them (a probe shows up as a failed request).
   */
  public static void demoConfig(RoutingContext ctx, boolean devEndpoints) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .end(new JsonObject().put("devMode", devEndpoints).encode());
  }
}
