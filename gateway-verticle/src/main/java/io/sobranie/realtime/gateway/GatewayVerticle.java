package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.gateway.admin.AdminAccess;
import io.sobranie.realtime.gateway.admin.AdminEndpoints;
import io.sobranie.realtime.gateway.admin.ClusterView;
import io.sobranie.realtime.gateway.http.Admission;
import io.sobranie.realtime.gateway.http.Authenticator;
import io.sobranie.realtime.gateway.http.Channels;
import io.sobranie.realtime.gateway.http.Cors;
import io.sobranie.realtime.gateway.http.DevEndpoints;
import io.sobranie.realtime.gateway.http.HttpErrors;
import io.sobranie.realtime.gateway.http.OriginPolicy;
import io.sobranie.realtime.gateway.http.Pages;
import io.sobranie.realtime.gateway.http.RequestDeadlines;
import io.sobranie.realtime.gateway.http.RestApi;
import io.sobranie.realtime.gateway.http.Uploads;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.sobranie.realtime.gateway.session.Session;
import io.sobranie.realtime.gateway.session.Shard;
import io.sobranie.realtime.gateway.transport.poll.PollEndpoint;
import io.sobranie.realtime.gateway.transport.sse.SseEndpoint;
import io.sobranie.realtime.gateway.transport.ws.WebSocketEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The HTTP face of a node, one instance per event loop, and the gateway's table of contents:
 * sessions are admitted by {@code http.Admission} and carried by a transport
 * ({@code transport.ws|sse|poll}) for a {@code session.Session} on this loop's {@link Shard} of
 * the node's hub; every client and service action goes through {@code pipeline.Inbound}; the
 * REST routes are {@code http.RestApi}, the admin page's {@code admin.AdminEndpoints}.
 */
public final class GatewayVerticle extends VerticleBase {
  private final GatewayContext gateway;
  private final ClusterView cluster;
  private Shard shard;
  private HttpServer server;
  private Router router;

  GatewayVerticle(GatewayContext gateway, ClusterView cluster) {
    this.gateway = gateway;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    RealtimeConfig config = gateway.config();
    shard = new Shard(context, gateway.hub());
    gateway.hub().addOutlet(shard);
    Inbound inbound = new Inbound(gateway);
    OriginPolicy origins = new OriginPolicy(config.allowedOrigins());
    Authenticator authenticator = new Authenticator(gateway.verifier(), gateway.store().tickets());
    Admission admission = new Admission(gateway, authenticator, origins, inbound);
    RestApi rest = new RestApi(gateway, authenticator, inbound);
    Uploads uploads = new Uploads(gateway, authenticator);
    // A body is read even where it is ignored (ticket): unread, it would stall the connection.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxFrameBytes());

    router = Router.router(vertx);
    // RestApi.sendError (a static helper called from every route) counts the error bodies it sends here.
    router.route().handler(ctx -> ctx.put(GatewayMetrics.CONTEXT_KEY, gateway.metrics()).next());
    router.route().handler(HttpErrors::checkUrl);
    router.route().handler(new Cors(origins));
    HttpErrors.install(router);

    // sessions (PROTOCOL.md sections 3-5)
    WebSocketEndpoint webSocket = new WebSocketEndpoint(gateway, admission, inbound, shard);
    router.get("/realtime/ws").handler(ctx -> webSocket.handle(ctx, Session.Kind.WEBSOCKET));
    router.get("/realtime/webrtc/signaling").handler(ctx -> webSocket.handle(ctx, Session.Kind.SIGNALING));
    router.get("/realtime/events").handler(new SseEndpoint(gateway, admission, shard)::handle);
    router.get("/realtime/poll").handler(new PollEndpoint(gateway, admission, shard)::handle);

    // users (section 6)
    router.post("/realtime/ticket").handler(body).handler(rest::ticket);
    router.post("/realtime/messages").handler(body).handler(rest::messages);
    router.get("/realtime/history/:channel").handler(rest::history);
    router.get("/realtime/notifications").handler(rest::notifications);
    router.post("/realtime/notifications/read").handler(body).handler(rest::markRead);
    router.post("/realtime/typing").handler(body).handler(rest::typing);
    router.post("/realtime/signal").handler(body).handler(rest::signal);
    router.get("/realtime/presence").handler(rest::presenceOfUsers);
    router.get("/realtime/presence/:channel").handler(rest::presenceOfChannel);
    router.post("/realtime/binary").handler(uploads::receive);
    router.post("/realtime/binary/upload").handler(uploads::receive);
    router.get("/realtime/binary/:id").handler(rest::download);

    // services
    router.post("/realtime/send").handler(body).handler(rest::send);
    router.post("/realtime/publish").handler(body).handler(rest::publish);
    router.post("/realtime/broadcast").handler(body).handler(rest::broadcast);
    router.post("/realtime/disconnect").handler(body).handler(rest::disconnect);
    router.get("/realtime/stats").handler(ctx -> rest.stats(ctx, this::stats));

    // admin: the page asks for a credential; its data and actions check it on every request
    AdminEndpoints admin = new AdminEndpoints(new AdminAccess(authenticator, config.adminToken()), inbound, cluster);
    router.get("/realtime/admin").handler(admin::page);
    router.get("/realtime/admin/stats").handler(admin::stats);
    router.post("/realtime/admin/publish").handler(body).handler(admin::publish);
    router.post("/realtime/admin/notify").handler(body).handler(admin::notifyUser);

    // pages, probes and metrics
    router.get("/realtime/sse-test").handler(ctx -> Pages.serve(ctx, "sse-test.html"));
    router.get("/realtime/demo").handler(ctx -> Pages.serve(ctx, "demo.html"));
    router.get("/realtime/client.js").handler(ctx -> Pages.serve(ctx, "realtime-client.js"));
    router.get("/realtime/openapi.yaml").handler(ctx -> Pages.serve(ctx, "openapi.yaml"));
    router.get("/realtime/demo/config").handler(ctx -> Pages.demoConfig(ctx, config.devTokens()));
    if (config.devTokens()) {
      DevEndpoints dev = new DevEndpoints(gateway, authenticator);
      router.post("/realtime/dev/token").handler(body).handler(dev::token);
      router.post("/realtime/dev/notify").handler(body).handler(dev::notifyMe);
    }
    router.get("/health").handler(gateway.health()::ready);
    router.get("/health/live").handler(gateway.health()::live);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8").end(gateway.metrics().scrape()));

    vertx.setPeriodic(Math.max(25, config.heartbeatMs() / 4), id -> heartbeat());
    // This loop's reply address exists before any session can ask the services anything.
    return gateway.bus().openLane(context).compose(opened -> vertx.createHttpServer(serverOptions(config))
        .connectionHandler(connection -> RequestDeadlines.guard(Channels.of(connection), gateway.limits(),
            config.headerTimeoutMs(), config.bodyIdleTimeoutMs()))
        .requestHandler(router).listen().onSuccess(s -> server = s));
  }

  private static HttpServerOptions serverOptions(RealtimeConfig config) {
    return new HttpServerOptions()
        .setHost(config.httpHost())
        // A negative port is Vert.x's "random port shared by every instance": HTTP_PORT=0 gives one port.
        .setPort(config.httpPort() == 0 ? -1 : config.httpPort())
        // Every write to a connection happens on its own event loop (shards live there, replies are
        // brought back with onThisLoop), so Vert.x may skip its cross-thread write queues: about
        // 5 KB less per connection (docs/benchmarks.md).
        .setStrictThreadMode(true)
        // No HTTP/2 over cleartext: its detection waits for a connection's first bytes before the
        // connection exists, so idle connections would escape the slow-client guard (RequestDeadlines).
        .setHttp2ClearTextEnabled(false)
        // Explicit caps (Vert.x answers 414 / 431 past them); ?token= must fit in the request line.
        .setMaxInitialLineLength(config.maxUrlBytes())
        .setMaxHeaderSize(config.maxHeaderBytes())
        // WebSockets are upgraded by transport.ws (frame limits there); Vert.x still negotiates
        // compression: its extension handler installs the inflater in the pipeline on our 101.
        .setPerMessageWebSocketCompressionSupported(config.wsCompression())
        .setPerFrameWebSocketCompressionSupported(config.wsCompression());
  }

  /** The routes this instance serves (path and methods): what docs/openapi.yaml must describe. */
  List<Route> routes() {
    return router.getRoutes();
  }

  /** The port this instance listens on (the real one when configured with 0). */
  int actualPort() {
    return server.actualPort();
  }

  private void heartbeat() {
    long now = System.currentTimeMillis();
    for (Session session : shard.sessions()) {
      session.heartbeat(now);
    }
  }

  /** This node's counts, for {@code GET /realtime/stats}. */
  private JsonObject stats() {
    ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
    GatewayMetrics metrics = gateway.metrics();
    return new JsonObject()
        .put("node", gateway.config().nodeId())
        .put("websocket_count", metrics.open("websocket"))
        .put("sse_count", metrics.open("sse"))
        .put("poll_count", metrics.open("poll"))
        .put("channels", gateway.hub().followedStreams())
        .put("users_online", gateway.limits().localUsers())
        .put("cluster_nodes", cluster == null ? 1 : cluster.getNodes().size())
        .put("messages_in", metrics.messagesIn())
        .put("messages_out", metrics.messagesOut())
        .put("slow_consumer_closes", (long) metrics.slowConsumerCloses());
  }

  /**
   * Graceful stop: the server socket closes (by Vert.x, after this), every session is told to
   * come back after a jittered delay and ended, and the stop completes when every presence
   * report those closes caused has been answered.
   */
  @Override
  public Future<?> stop() {
    gateway.hub().removeOutlet(shard);
    long window = Math.max(1000, gateway.config().heartbeatMs());
    List<Future<Void>> farewells = new ArrayList<>();
    for (Session session : shard.sessions()) {
      farewells.add(session.goAway(ThreadLocalRandom.current().nextLong(window)));
    }
    // Held polls are answered and streams told to reconnect before Vert.x closes their connections.
    return Future.join(farewells).compose(v -> gateway.bus().drained()).compose(v -> gateway.bus().closeLane(context));
  }
}
