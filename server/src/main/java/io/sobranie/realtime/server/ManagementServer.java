package io.sobranie.realtime.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sobranie.realtime.gateway.Health;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * {@code MANAGEMENT_PORT}: {@code /health}, {@code /health/live} and {@code /metrics} on a port of
 * their own, so nodes without the gateway role (chat, presence, notification) are probed and
 * scraped like gateway nodes. Nothing else is served there.
 */
final class ManagementServer {
  private ManagementServer() {
  }

  /** Listens on {@code port} (0: a random one) of {@code host}; answers the server. */
  static Future<HttpServer> start(Vertx vertx, String host, int port, Health health) {
    Router router = Router.router(vertx);
    router.get("/health").handler(health::ready);
    router.get("/health/live").handler(health::live);
    router.get("/metrics").handler(ctx -> {
      if (BackendRegistries.getDefaultNow() instanceof PrometheusMeterRegistry registry) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
      } else {
        ctx.response().setStatusCode(404).end(); // a node started without metrics (tests)
      }
    });
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)).requestHandler(router).listen();
  }
}
