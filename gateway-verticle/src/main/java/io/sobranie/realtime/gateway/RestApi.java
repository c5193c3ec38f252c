package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.Envelope;
import io.sobranie.realtime.common.bus.ServiceRequests;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.HistoryPage;
import io.sobranie.realtime.common.store.StoredMessage;
import io.sobranie.realtime.common.store.StoredNotification;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The REST endpoints of PROTOCOL.md section 6 for users and services. */
final class RestApi {
  private static final Logger LOG = Logger.getLogger(RestApi.class.getName());
  static final long TICKET_TTL_MS = 30_000;
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 1000;
  static final int MAX_REASON_LENGTH = 100;

  private final GatewayContext gateway;
  private final Authenticator authenticator;
  private final ClientActions actions;

  RestApi(GatewayContext gateway, Authenticator authenticator) {
    this.gateway = gateway;
    this.authenticator = authenticator;
    this.actions = new ClientActions(gateway, GatewayMetrics.MessagePath.REST);
  }

  // ---- users ----------------------------------------------------------------------------------

  /** {@code POST /realtime/ticket}: a one-time ticket for WebSocket/SSE/poll URLs. */
  void ticket(RoutingContext ctx) {
    respond(ctx, 200, authenticator.authenticateHeader(ctx.request())
        .compose(principal -> gateway.store().tickets().issue(principal, TICKET_TTL_MS))
        .map(ticket -> new JsonObject().put("ticket", ticket)
            .put("expiresAt", System.currentTimeMillis() + TICKET_TTL_MS).encode()));
  }

  /** {@code POST /realtime/messages}: the same as a WebSocket {@code message}; answers the ack. */
  void messages(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> actions.message(principal, jsonBody(ctx)).map(JsonObject::encode)));
  }

  /** {@code GET /realtime/history/{channel}?since=&limit=}: oldest first. */
  void history(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> {
      Channel channel = Channel.parse(ctx.pathParam("channel"));
      gateway.config().channelRules().checkSubscribe(principal, channel);
      Long since = queryNumber(ctx, "since");
      int limit = limit(ctx);
      Future<HistoryPage> page = since == null
          ? gateway.store().history().latest(channel.name(), limit)
          : gateway.store().history().after(channel.name(), since, limit);
      return page.map(p -> historyBody(channel.name(), p));
    }));
  }

  /** {@code GET /realtime/notifications?before=&limit=}: newest first, with the unread count. */
  void notifications(RoutingContext ctx) {
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
  void markRead(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> {
      JsonObject body = jsonBody(ctx);
      JsonObject request = new JsonObject().put("userId", principal.userId())
          .put("upTo", body.getValue("upTo")).put("ids", body.getValue("ids"));
      return gateway.bus().request(Addresses.NOTIFY_READ, request).map(JsonObject::encode);
    }));
  }

  /** {@code POST /realtime/typing}: like the WebSocket frame, for SSE/poll clients → 204. */
  void typing(RoutingContext ctx) {
    respond(ctx, 204, user(ctx, principal -> actions.typing(principal, jsonBody(ctx)).map("")));
  }

  /** {@code POST /realtime/signal}: 204, or 404 {@code not_found} when {@code to} is offline. */
  void signal(RoutingContext ctx) {
    respond(ctx, 204, user(ctx, principal -> actions.signal(principal, jsonBody(ctx)).map("")));
  }

  /** {@code GET /realtime/presence?users=a,b}. */
  void presenceOfUsers(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> {
      String users = ctx.request().getParam("users");
      if (users == null || users.isBlank()) {
        throw RealtimeException.badRequest("'users' (a comma-separated list of user ids) is required");
      }
      JsonArray list = new JsonArray();
      for (String id : users.split(",")) {
        list.add(id.trim());
      }
      return actions.presence(principal, new JsonObject().put("users", list)).map(JsonObject::encode);
    }));
  }

  /** {@code GET /realtime/presence/{channel}}: who follows the room now (subscribe right needed). */
  void presenceOfChannel(RoutingContext ctx) {
    respond(ctx, 200, user(ctx, principal -> actions.presence(principal,
        new JsonObject().put("channel", ctx.pathParam("channel"))).map(JsonObject::encode)));
  }

  /** {@code GET /realtime/binary/{id}}: the bytes with their content type, to any authenticated user. */
  void download(RoutingContext ctx) {
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
  void send(RoutingContext ctx) {
    respond(ctx, 202, service(ctx, principal -> gateway.bus()
        .request(Addresses.NOTIFY, ServiceRequests.Notify.fromJson(jsonBody(ctx)).toJson()).map(JsonObject::encode)));
  }

  /** {@code POST /realtime/publish}: a channel message from {@code service:{sub}} → {@code {channel, seq, id}}. */
  void publish(RoutingContext ctx) {
    respond(ctx, 200, service(ctx, principal -> {
      JsonObject body = jsonBody(ctx).copy().put("from", principal.publisherName());
      ServiceRequests.Publish publish = ServiceRequests.Publish.fromJson(body);
      gateway.config().channelRules().checkPublish(principal, Channel.parse(publish.channel()));
      return gateway.bus().request(Addresses.PUBLISH, publish.toJson()).map(reply -> {
        gateway.metrics().messageAccepted(GatewayMetrics.MessagePath.SERVICE_PUBLISH);
        return reply.encode();
      });
    }));
  }

  /** {@code POST /realtime/broadcast}: a message with a kind on a channel or on {@code broadcast} → 202. */
  void broadcast(RoutingContext ctx) {
    respond(ctx, 202, service(ctx, principal -> {
      JsonObject body = jsonBody(ctx).copy().put("from", principal.publisherName());
      ServiceRequests.Broadcast broadcast = ServiceRequests.Broadcast.fromJson(body);
      gateway.config().channelRules().checkPublish(principal, Channel.parse(broadcast.channel()));
      return gateway.bus().request(Addresses.BROADCAST, broadcast.toJson()).map(reply -> {
        gateway.metrics().messageAccepted(GatewayMetrics.MessagePath.SERVICE_BROADCAST);
        return reply.encode();
      });
    }));
  }

  /**
   * {@code POST /realtime/disconnect}: closes every WebSocket and SSE connection of the user on
   * every node → {@code {closed: N}}, N counted from the presence registry just before.
   */
  void disconnect(RoutingContext ctx) {
    respond(ctx, 200, service(ctx, principal -> {
      JsonObject body = jsonBody(ctx);
      String userId = Principal.requireUserId(body, "userId");
      String reason = JsonFields.optionalStrictString(body, "reason");
      if (reason != null && (reason.isEmpty() || reason.length() > MAX_REASON_LENGTH)) {
        throw RealtimeException.badRequest("'reason' must be 1.." + MAX_REASON_LENGTH + " characters");
      }
      return gateway.store().presence().connectionCount(userId, Set.of("websocket", "sse")).map(count -> {
        ctx.vertx().eventBus().publish(Addresses.DELIVER, Envelope.disconnect(userId, principal.publisherName(),
            reason == null ? "disconnected" : reason, System.currentTimeMillis()));
        return new JsonObject().put("closed", count).encode();
      });
    }));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private Future<String> user(RoutingContext ctx, Function<Principal, Future<String>> handler) {
    return authenticator.authenticate(ctx.request(), false).compose(handler);
  }

  /** Like {@link #user}, for tokens with role {@code service} only (403 otherwise). */
  private Future<String> service(RoutingContext ctx, Function<Principal, Future<String>> handler) {
    return authenticator.authenticate(ctx.request(), false).compose(principal -> {
      if (!principal.isService()) {
        throw RealtimeException.forbidden("this endpoint is for service tokens (role 'service')");
      }
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

  static Long queryNumber(RoutingContext ctx, String name) {
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

  static JsonObject jsonBody(RoutingContext ctx) {
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
  static void respond(RoutingContext ctx, int status, Future<String> body) {
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
  static void sendError(RoutingContext ctx, Throwable failure) {
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
  static boolean sendError(HttpServerResponse response, RealtimeException error) {
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
