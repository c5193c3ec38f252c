package io.sobranie.realtime.gateway.http;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.HistoryPage;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StoredNotification;
import io.sobranie.realtime.gateway.GatewayContext;
import io.sobranie.realtime.gateway.GatewayMetrics.MessagePath;
import io.sobranie.realtime.gateway.GatewayMetrics;
import io.sobranie.realtime.gateway.pipeline.Inbound;
import io.sobranie.realtime.gateway.protocol.Frames;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The REST endpoints of PROTOCOL.md section 6 for users and services: HTTP in and out; every
 * action goes through the {@link Inbound} pipeline like its WebSocket twin.
 */
public final class RestApi {
  private static final Logger LOG = Logger.getLogger(RestApi.class.getName());
  static final long TICKET_TTL_MS = 30_000;
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 1000;

  private final GatewayContext gateway;
  private final Authenticator authenticator;
  private final Inbound inbound;

  public RestApi(GatewayContext gateway, Authenticator authenticator, Inbound inbound) {
    this.gateway = gateway;
    this.authenticator = authenticator;
    this.inbound = inbound;
  }

  // ---- users ----------------------------------------------------------------------------------

  /** {@code POST /realtime/ticket}: a one-time ticket for WebSocket/SSE/poll URLs. */
  public void ticket(RoutingContext ctx) {
    respond(ctx, 200, authenticator.authenticateHeader(ctx.request())
        .compose(principal -> gateway.store().tickets().issue(principal, TICKET_TTL_MS))
        .map(ticket -> new JsonObject().put("ticket", ticket)
            .put("expiresAt", System.currentTimeMillis() + TICKET_TTL_MS).encode()));
  }

  /** {@code POST /realtime/messages}: the same as a WebSocket {@code message}; answers the ack. */
  public void messages(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> inbound.message(principal, jsonBody(ctx), MessagePath.REST).map(JsonObject::encode)));
  }

  /** {@code GET /realtime/history/{channel}?since=&limit=}: oldest first. */
  public void history(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> {
      Channel channel = inbound.subscribable(principal, ctx.pathParam("channel"));
      Long since = queryNumber(ctx, "since");
      int limit = limit(ctx);
      Future<HistoryPage> page = since == null
          ? gateway.store().history().latest(channel.name(), limit)
          : gateway.store().history().after(channel.name(), since, limit);
      return page.map(p -> historyBody(channel.name(), p));
    }));
  }

  /** {@code GET /realtime/notifications?before=&limit=}: newest first, with the unread count. */
  public void notifications(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> {
      Long before = queryNumber(ctx, "before");
      return gateway.store().notifications().before(principal.userId(), before, limit(ctx)).map(page -> {
        StringBuilder out = new StringBuilder("{\"unread\":").append(page.unread()).append(",\"notifications\":[");
        for (int i = 0; i < page.items().size(); i++) {
          StoredNotification n = page.items().get(i);
          out.append(i == 0 ? "" : ",").append(Frames.notification(n.id(), n.seq(), n.kind(), n.data(), n.ts(), n.read()));
        }
        return out.append("]}").toString();
      });
    }));
  }

  /** {@code POST /realtime/notifications/read}: {@code {upTo}} or {@code {ids}} → {@code {unread}}. */
  public void markRead(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> inbound.read(principal, jsonBody(ctx), null)
        .map(unread -> new JsonObject().put("unread", unread).encode())));
  }

  /** {@code POST /realtime/typing}: like the WebSocket frame, for SSE/poll clients → 204. */
  public void typing(RoutingContext ctx) {
    respond(ctx, 204, user(ctx, principal -> inbound.typing(principal, jsonBody(ctx)).map("")));
  }

  /** {@code POST /realtime/signal}: 204, or 404 {@code not_found} when {@code to} is offline. */
  public void signal(RoutingContext ctx) {
    respond(ctx, 204, user(ctx, principal -> inbound.signal(principal, jsonBody(ctx)).map("")));
  }

  /** {@code GET /realtime/presence?users=a,b}. */
  public void presenceOfUsers(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> {
      String users = ctx.request().getParam("users");
      if (users == null || users.isBlank()) {
        throw RealtimeException.badRequest("'users' (a comma-separated list of user ids) is required");
      }
      JsonArray list = new JsonArray();
      for (String id : users.split(",")) {
        list.add(id.trim());
      }
      return inbound.presence(principal, new JsonObject().put("users", list)).map(JsonObject::encode);
    }));
  }

  /** {@code GET /realtime/presence/{channel}}: who follows the room now (subscribe right needed). */
  public void presenceOfChannel(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> inbound.presence(principal,
        new JsonObject().put("channel", ctx.pathParam("channel"))).map(JsonObject::encode)));
  }

  /** {@code GET /realtime/binary/{id}}: the bytes with their content type, to any authenticated user. */
  public void download(RoutingContext ctx) {
    user(ctx, principal -> gateway.blobs().describe(ctx.pathParam("id")).map(blob -> {
      if (blob == null) {
        throw new RealtimeException(ErrorCode.NOT_FOUND, "no such file (or it expired)");
      }
      HttpServerResponse response = ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, blob.contentType())
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Content-Disposition", "attachment" + (blob.filename() == null ? ""
              : "; filename*=UTF-8''" + java.net.URLEncoder.encode(blob.filename(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")));
      response.sendFile(gateway.blobs().path(blob.id())).onFailure(e -> sendError(ctx, e));
      return "";
    })).onFailure(e -> sendError(ctx, e));
  }

  // ---- services -------------------------------------------------------------------------------

  /** {@code POST /realtime/send}: a notification for one user → 202 {@code {id, seq}}. */
  public void send(RoutingContext ctx) {
    respond(ctx, 202, service(ctx, service -> inbound.notify(service, jsonBody(ctx)).map(JsonObject::encode)));
  }

  /** {@code POST /realtime/publish}: a channel message from {@code service:{sub}} → {@code {channel, seq, id}}. */
  public void publish(RoutingContext ctx) {
    respond(ctx, 200, service(ctx, service -> inbound.publish(service, jsonBody(ctx)).map(JsonObject::encode)));
  }

  /** {@code POST /realtime/broadcast}: a message with a kind on a channel or on {@code broadcast} → 202. */
  public void broadcast(RoutingContext ctx) {
    respond(ctx, 202, service(ctx, service -> inbound.broadcast(service, jsonBody(ctx)).map(JsonObject::encode)));
  }

  /** {@code POST /realtime/disconnect}: closes every WebSocket and SSE connection of the user on every node → {@code {closed: N}}. */
  public void disconnect(RoutingContext ctx) {
    respond(ctx, 200, service(ctx, service -> inbound.disconnectUser(service, jsonBody(ctx)).map(JsonObject::encode)));
  }

  /** {@code GET /realtime/stats} (service tokens): this node's counts. */
  public void stats(RoutingContext ctx, java.util.function.Supplier<JsonObject> counts) {
    respond(ctx, 200, service(ctx, service -> Future.succeededFuture(counts.get().encode())));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private Future<String> user(RoutingContext ctx, Function<Principal, Future<String>> handler) {
    return authenticator.authenticate(ctx.request(), false).compose(handler);
  }

  /** Like {@link #user}, for service tokens: refused before the body is looked at. */
  private Future<String> service(RoutingContext ctx, Function<Principal, Future<String>> handler) {
    return user(ctx, principal -> {
      inbound.requireService(principal);
      return handler.apply(principal);
    });
  }

  private static String historyBody(String channel, HistoryPage page) {
    StringBuilder out = new StringBuilder("{\"channel\":").append(Json.encode(channel))
        .append(",\"seq\":").append(page.position().seq())
        .append(",\"epoch\":").append(Json.encode(page.position().epoch()))
        .append(",\"messages\":[");
    for (int i = 0; i < page.messages().size(); i++) {
      StoredMessage message = page.messages().get(i);
      out.append(i == 0 ? "" : ",").append(Frames.message(channel, message));
    }
    return out.append("]}").toString();
  }

  /** {@code limit}: default 50, clamped to 1..1000. */
  private static int limit(RoutingContext ctx) {
    Long limit = queryNumber(ctx, "limit");
    return limit == null ? DEFAULT_LIMIT : (int) Math.min(Math.max(limit, 1), MAX_LIMIT);
  }

  public static Long queryNumber(RoutingContext ctx, String name) {
    String text = ctx.request().getParam(name);
    if (text == null) {
      return null;
    }
    try {
      long value = Long.parseLong(text);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw RealtimeException.badRequest("'" + name + "' must be a non-negative integer");
  }

  public static JsonObject jsonBody(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException notAnObject) {
      // reported below
    }
    throw RealtimeException.badRequest("body must be a JSON object");
  }

  /** Sends a JSON body with {@code status}, or the error shape of PROTOCOL.md section 6. */
  public static void respond(RoutingContext ctx, int status, Future<String> body) {
    body.onComplete(result -> {
      if (result.succeeded() && status == 204) {
        ctx.response().setStatusCode(204).end();
      } else if (result.succeeded()) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(result.result());
      } else {
        sendError(ctx, result.cause());
      }
    });
  }

  /** Sends the error body, counted in the metrics the gateway's router put in {@code ctx}. */
  public static void sendError(RoutingContext ctx, Throwable failure) {
    RealtimeException error = RealtimeException.from(failure);
    if (error.code() == ErrorCode.INTERNAL) {
      LOG.log(Level.SEVERE, "request failed " + ctx.request().method() + " " + ctx.request().path(), failure);
    }
    GatewayMetrics metrics = ctx.get(GatewayMetrics.CONTEXT_KEY);
    if (sendError(ctx.response(), error) && metrics != null) {
      metrics.errorSent(error.code());
    }
  }

  /** Answers whether the error was sent (not when the response had already ended or its client gone). */
  public static boolean sendError(HttpServerResponse response, RealtimeException error) {
    if (response.ended() || response.closed()) {
      return false;
    }
    response.setStatusCode(error.code().httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (error.code() == ErrorCode.RATE_LIMITED) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, (error.retryAfterMs() + 999) / 1000)));
    }
    response.end(error.toRestBody().encode());
    return true;
  }
}
