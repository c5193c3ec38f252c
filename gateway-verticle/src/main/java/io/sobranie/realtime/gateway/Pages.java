package io.sobranie.realtime.gateway;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** The static pages the gateway serves from its jar ({@code webroot/}), sent without blocking. */
final class Pages {
  private Pages() {
  }

  static void serve(RoutingContext ctx, String file) {
    String type = file.endsWith(".js") ? "text/javascript; charset=utf-8"
        : file.endsWith(".yaml") ? "application/yaml; charset=utf-8" : "text/html; charset=utf-8";
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type).putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .sendFile("webroot/" + file)
        .onFailure(ctx::fail);
  }
}
