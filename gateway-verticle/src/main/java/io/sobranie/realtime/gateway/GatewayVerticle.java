package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.config.TrustedProxies;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP face of a node, one instance per event loop: WebSocket, SSE and long-poll endpoints
 * and the REST routes. Each instance owns a {@link Shard} of the node's {@link Hub} for the
 * sessions it accepts.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(GatewayVerticle.class.getName());
  static final long DEFAULT_POLL_TIMEOUT_MS = 25_000;
  private static final String X_FORWARDED_FOR = "X-Forwarded-For";
  static final long MAX_POLL_TIMEOUT_MS = 60_000;

  private final GatewayContext gateway;
  private Shard shard;
  private Authenticator authenticator;
  private HttpServer server;
  private OriginPolicy origins;
  private Router router;

  GatewayVerticle(GatewayContext gateway) {
    this.gateway = gateway;
  }

  @Override
  public Future<?> start() {
    RealtimeConfig config = gateway.config();
    shard = new Shard(context, gateway.hub());
    gateway.hub().addShard(shard);
    authenticator = new Authenticator(gateway.verifier(), gateway.store().tickets());
    RestApi rest = new RestApi(gateway, authenticator);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxFrameBytes());

    origins = new OriginPolicy(config.allowedOrigins());
    router = Router.router(vertx);
    // RestApi.sendError (a static helper called from every route) counts the error bodies it sends here.
    router.route().handler(ctx -> ctx.put(GatewayMetrics.CONTEXT_KEY, gateway.metrics()).next());
    router.route().handler(this::checkUrl);
    router.route().handler(this::cors);
    router.get("/realtime/ws").handler(ctx -> upgrade(ctx, false));
    router.get("/realtime/webrtc/signaling").handler(ctx -> upgrade(ctx, true));
    router.get("/realtime/events").handler(this::events);
    router.get("/realtime/poll").handler(this::poll);
    router.get("/realtime/sse-test").handler(ctx -> Pages.serve(ctx, "sse-test.html"));
    router.get("/realtime/demo").handler(ctx -> Pages.serve(ctx, "demo.html"));
    router.get("/realtime/client.js").handler(ctx -> Pages.serve(ctx, "realtime-client.js"));
    router.get("/realtime/openapi.yaml").handler(ctx -> Pages.serve(ctx, "openapi.yaml"));
    boolean devEndpoints = config.devTokens();
    router.get("/realtime/demo/config").handler(ctx -> Pages.demoConfig(ctx, devEndpoints));
    if (devEndpoints) {
      DevEndpoints dev = new DevEndpoints(gateway, authenticator);
      router.post("/realtime/dev/token").handler(body).handler(dev::token);
      router.post("/realtime/dev/notify").handler(body).handler(dev::notifyMe);
    }
    router.post("/realtime/ticket").handler(body).handler(rest::ticket); // a body is read (and ignored): unread, it would stall the connection
    router.post("/realtime/messages").handler(body).handler(rest::messages);
    router.get("/realtime/history/:channel").handler(rest::history);
    router.get("/realtime/notifications").handler(rest::notifications);
    router.post("/realtime/notifications/read").handler(body).handler(rest::markRead);
    router.post("/realtime/typing").handler(body).handler(rest::typing);
    router.post("/realtime/signal").handler(body).handler(rest::signal);
    router.get("/realtime/presence").handler(rest::presenceOfUsers);
    router.get("/realtime/presence/:channel").handler(rest::presenceOfChannel);
    Uploads uploads = new Uploads(gateway, authenticator);
    router.post("/realtime/binary").handler(uploads::receive);
    router.post("/realtime/binary/upload").handler(uploads::receive);
    router.get("/realtime/binary/:id").handler(rest::download);
    router.post("/realtime/send").handler(body).handler(rest::send);
    router.post("/realtime/publish").handler(body).handler(rest::publish);
    router.post("/realtime/broadcast").handler(body).handler(rest::broadcast);
    router.post("/realtime/disconnect").handler(body).handler(rest::disconnect);
    router.get("/health").handler(gateway.health()::ready);
    router.get("/health/live").handler(gateway.health()::live);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8").end(gateway.metrics().scrape()));
    router.get("/realtime/stats").handler(this::stats);
    for (ErrorCode code : ErrorCode.values()) {
      router.errorHandler(code.httpStatus(), this::routeError);
    }
    router.errorHandler(405, ctx -> RestApi.sendError(ctx, RealtimeException.badRequest("method not allowed")));

    vertx.setPeriodic(Math.max(25, config.heartbeatMs() / 4), id -> heartbeat());

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.httpHost())
        // A negative port is Vert.x's "random port shared by every instance": HTTP_PORT=0 gives one port.
        .setPort(config.httpPort() == 0 ? -1 : config.httpPort())
        // Frames up to twice the limit are read whole, so the 1009 close reaches the client
        // (closing on unread input would reset the connection); larger ones Netty drops outright.
        .setMaxWebSocketFrameSize(2 * config.maxFrameBytes())
        .setMaxWebSocketMessageSize(config.maxFrameBytes())
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
        .setPerMessageWebSocketCompressionSupported(config.wsCompression())
        .setPerFrameWebSocketCompressionSupported(config.wsCompression());
    return vertx.createHttpServer(options)
        .connectionHandler(connection -> RequestDeadlines.guard(Channels.of(connection), gateway.limits(),
            config.headerTimeoutMs(), config.bodyIdleTimeoutMs()))
        .requestHandler(router).listen().onSuccess(s -> server = s);
  }

  /** The routes this instance serves (path and methods): what docs/openapi.yaml must describe. */
  List<Route> routes() {
    return router.getRoutes();
  }

  /** The port this instance listens on (the real one when configured with 0). */
  int actualPort() {
    return server.actualPort();
  }

  /**
   * {@code GET /realtime/ws} (or the signaling-only {@code /realtime/webrtc/signaling}):
   * authenticate, upgrade, then either serve or close 1008.
   */
  private void upgrade(RoutingContext ctx, boolean signalingOnly) {
    HttpServerRequest request = ctx.request();
    if (!served(ctx, "websocket")) {
      return;
    }
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      RestApi.sendError(ctx, RealtimeException.badRequest("expected a WebSocket upgrade"));
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (!origins.allows(origin, request.getHeader(HttpHeaders.HOST))) {
      gateway.metrics().connect("websocket", "origin");
      LOG.info("connect transport=websocket ip=" + remoteIp(request) + " outcome=origin-refused origin=" + origin);
      RestApi.sendError(ctx, RealtimeException.forbidden("origin not allowed"));
      return;
    }
    if (!reserved(ctx, "websocket")) {
      return;
    }
    request.pause();
    authenticator.authenticate(request, true)
        .onComplete(auth -> context.runOnContext(v -> accept(request, auth, signalingOnly)));
  }

  /** Upgrades on a reserved slot: a session takes the slot over, any other outcome gives it back. */
  private void accept(HttpServerRequest request, AsyncResult<Principal> auth, boolean signalingOnly) {
    String ip = remoteIp(request);
    request.toWebSocket().onComplete(upgraded -> {
      if (upgraded.failed()) {
        gateway.limits().release();
        LOG.fine("connect transport=websocket ip=" + ip + " outcome=upgrade-failed: " + upgraded.cause().getMessage());
        return;
      }
      if (auth.failed()) {
        gateway.limits().release();
        gateway.metrics().connect("websocket", "unauthorized");
        LOG.info("connect transport=websocket ip=" + ip + " outcome=unauthorized reason=" + Unauthenticated.reasonOf(auth.cause()));
        upgraded.result().close(WebSocketConnection.CLOSE_POLICY, "unauthorized");
        return;
      }
      gateway.metrics().connect("websocket", "accepted");
      LOG.info("connect transport=websocket user=" + auth.result().userId() + " ip=" + ip + " outcome=accepted");
      new WebSocketConnection(upgraded.result(), auth.result(), shard, gateway, signalingOnly).open();
    });
  }

  /** What SSE and long-poll requests carry, checked before anything is streamed or held. */
  private record StreamStart(Principal principal, List<String> channels, Cursor cursor) {
  }

  private Future<StreamStart> streamStart(RoutingContext ctx, String cursorParam) {
    HttpServerRequest request = ctx.request();
    String transport = request.path().endsWith("/poll") ? "poll" : "sse";
    return authenticator.authenticate(request, true)
        .compose(principal -> Future.succeededFuture(new StreamStart(principal,
            StreamRequest.channels(request, gateway.config().channelRules(), principal),
            Cursor.decode(cursorParam))))
        .onComplete(start -> gateway.metrics().connect(transport, start.succeeded() ? "accepted"
            : RealtimeException.from(start.cause()).code().wire()))
        .onComplete(start -> LOG.info("connect transport=" + transport
            + (start.succeeded() ? " user=" + start.result().principal().userId() : "")
            + " ip=" + remoteIp(request) + " outcome=" + (start.succeeded() ? "accepted" : refusal(start.cause()))));
  }

  /** How a refused stream start is logged: the error code, and for credentials our reason word. */
  private static String refusal(Throwable failure) {
    RealtimeException error = RealtimeException.from(failure);
    return error instanceof Unauthenticated u ? "unauthorized reason=" + u.reason() : error.code().wire();
  }

  /** {@code GET /realtime/events}: a Server-Sent Events stream. */
  private void events(RoutingContext ctx) {
    if (!served(ctx, "sse") || !reserved(ctx, "sse")) {
      return;
    }
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    streamStart(ctx, lastEventId != null ? lastEventId : ctx.request().getParam("lastEventId"))
        .onComplete(start -> context.runOnContext(v -> {
          if (start.failed() || ctx.response().closed()) {
            gateway.limits().release();
            if (start.failed()) {
              RestApi.sendError(ctx, start.cause());
            }
          } else {
            new SseConnection(ctx.response(), Channels.of(ctx.request()), start.result().principal(), shard, gateway)
                .open(start.result().cursor(), start.result().channels());
          }
        }));
  }

  /** {@code GET /realtime/poll}: held until there are events or {@code timeoutMs} passes. */
  private void poll(RoutingContext ctx) {
    if (!served(ctx, "poll")) {
      return;
    }
    long timeoutMs;
    try {
      Long requested = RestApi.queryNumber(ctx, "timeoutMs");
      timeoutMs = requested == null ? DEFAULT_POLL_TIMEOUT_MS : Math.min(requested, MAX_POLL_TIMEOUT_MS);
    } catch (RealtimeException e) {
      RestApi.sendError(ctx, e);
      return;
    }
    if (!reserved(ctx, "poll")) {
      return;
    }
    String cursor = ctx.request().getParam("cursor");
    streamStart(ctx, cursor).onComplete(start -> context.runOnContext(v -> {
      if (start.failed() || ctx.response().closed()) {
        gateway.limits().release();
        if (start.failed()) {
          RestApi.sendError(ctx, start.cause());
        }
      } else {
        new PollSession(ctx.response(), Channels.of(ctx.request()), start.result().principal(), shard, gateway)
            .open(start.result().cursor(), start.result().channels(), timeoutMs, cursor == null || cursor.isEmpty());
      }
    }));
  }

  /** False (and a 503 sent) when {@code TRANSPORTS} leaves this transport out. */
  private boolean served(RoutingContext ctx, String transport) {
    if (gateway.config().transports().contains(transport)) {
      return true;
    }
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "3600");
    RestApi.sendError(ctx, new RealtimeException(ErrorCode.UNAVAILABLE, transport + " is not served here; use "
        + String.join(" or ", gateway.config().transports())));
    return false;
  }

  /**
   * Reserves a session slot; false (and a 503 with Retry-After sent) when the node already holds
   * {@code MAX_CONNECTIONS} sessions. A true answer must end in a session or a release.
   */
  private boolean reserved(RoutingContext ctx, String transport) {
    if (gateway.limits().reserve()) {
      return true;
    }
    gateway.metrics().connect(transport, "cap");
    LOG.info("connect transport=" + transport + " ip=" + remoteIp(ctx.request()) + " outcome=refused-cap");
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
    RestApi.sendError(ctx, new RealtimeException(ErrorCode.UNAVAILABLE, "this node is full; retry shortly"));
    return false;
  }

  /**
   * A URL whose percent-encoding does not decode (e.g. {@code /realtime/history/%E0%A4%A}) is the
   * client's mistake: 400 here, before a route's parameter decoding fails as a 500.
   */
  private void checkUrl(RoutingContext ctx) {
    try {
      java.net.URLDecoder.decode(ctx.request().path(), java.nio.charset.StandardCharsets.UTF_8);
      ctx.request().params();
    } catch (IllegalArgumentException malformed) {
      RestApi.sendError(ctx, RealtimeException.badRequest("malformed percent-encoding in the URL"));
      return;
    }
    ctx.next();
  }

  /**
   * CORS for REST, SSE and polls: an allowed {@code Origin} gets the headers (and a preflight its
   * 204); any other request goes on without them, and the browser enforces the rest.
   */
  private void cors(RoutingContext ctx) {
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

  /**
   * The client's address for the connection log: the socket peer, or, when the peer is one of
   * {@code TRUSTED_PROXIES}, the client its {@code X-Forwarded-For} names (then with {@code via=peer}).
   */
  private String remoteIp(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    TrustedProxies proxies = gateway.config().trustedProxies();
    if (proxies.isEmpty()) {
      return peer;
    }
    String client = proxies.clientAddress(peer, request.headers().getAll(X_FORWARDED_FOR));
    return client.equals(peer) ? peer : client + " via=" + peer;
  }

  private void heartbeat() {
    long now = System.currentTimeMillis();
    for (ClientSession session : shard.sessions()) {
      session.heartbeat(now);
    }
  }

  /** {@code GET /realtime/stats} (service tokens): this node's counts. */
  private void stats(RoutingContext ctx) {
    RestApi.respond(ctx, 200, authenticator.authenticate(ctx.request(), false).map(principal -> {
      if (!principal.isService()) {
        throw RealtimeException.forbidden("this endpoint is for service tokens (role 'service')");
      }
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
          .put("slow_consumer_closes", (long) metrics.slowConsumerCloses())
          .encode();
    }));
  }

  /** Router-level failures (no route, body too large, a bug) in the REST error shape, never a stack trace. */
  private void routeError(RoutingContext ctx) {
    int status = ctx.statusCode();
    RealtimeException error = switch (status) {
      case 404 -> new RealtimeException(ErrorCode.NOT_FOUND, "no such endpoint");
      case 413 -> new RealtimeException(ErrorCode.TOO_LARGE, "request body too large");
      case 400 -> RealtimeException.badRequest("bad request");
      default -> ctx.failure() != null ? RealtimeException.from(ctx.failure())
          : new RealtimeException(ErrorCode.INTERNAL, "internal error");
    };
    if (error.code() == ErrorCode.INTERNAL && ctx.failure() != null) {
      LOG.log(Level.SEVERE, "unhandled failure " + ctx.request().method() + " " + ctx.request().path(), ctx.failure());
    }
    RestApi.sendError(ctx, error);
  }

  /**
   * Graceful stop: the server socket closes (by Vert.x, after this), every session is told to
   * come back after a jittered delay and ended, and the stop completes when every presence
   * report those closes caused has been answered.
   */
  @Override
  public Future<?> stop() {
    gateway.hub().removeShard(shard);
    long window = Math.max(1000, gateway.config().heartbeatMs());
    List<Future<Void>> farewells = new java.util.ArrayList<>();
    for (ClientSession session : shard.sessions()) {
      farewells.add(session.goAway(ThreadLocalRandom.current().nextLong(window)));
    }
    // Held polls are answered and streams told to reconnect before Vert.x closes their connections.
    return Future.join(farewells).compose(v -> gateway.bus().drained());
  }
}
