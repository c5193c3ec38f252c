package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.bus.ChatMessage;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.HistoryPage;
import io.sobranie.realtime.common.store.StoredMessage;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The user REST endpoints of PROTOCOL.md section 6 that the gateway serves itself. */
final class RestApi {
  private static final Logger LOG = Logger.getLogger(RestApi.class.getName());
  static final long TICKET_TTL_MS = 30_000;
  static final int DEFAULT_HISTORY_LIMIT = 50;
  static final int MAX_HISTORY_LIMIT = 1000;

  private final GatewayContext gateway;
  private final Authenticator authenticator;
  private final ChatClient chat;

  RestApi(GatewayContext gateway, Authenticator authenticator, ChatClient chat) {
    this.gateway = gateway;
    this.authenticator = authenticator;
    this.chat = chat;
  }

  /** {@code POST /realtime/ticket}: a one-time ticket for WebSocket/SSE/poll URLs. */
  void ticket(RoutingContext ctx) {
    respond(ctx, authenticator.authenticateHeader(ctx.request())
        .compose(principal -> gateway.store().tickets().issue(principal, TICKET_TTL_MS))
        .map(ticket -> new JsonObject().put("ticket", ticket)
            .put("expiresAt", System.currentTimeMillis() + TICKET_TTL_MS).encode()));
  }

  /** {@code POST /realtime/messages}: the same as a WebSocket {@code message}; answers the ack. */
  void messages(RoutingContext ctx) {
    respond(ctx, authenticator.authenticate(ctx.request(), false)
        .compose(principal -> chat.send(ChatMessage.fromClient(principal, jsonBody(ctx))))
        .map(ack -> Frames.ack(ack).encode()));
  }

  /** {@code GET /realtime/history/{channel}?since=&limit=}: oldest first. */
  void history(RoutingContext ctx) {
    respond(ctx, authenticator.authenticate(ctx.request(), false).compose(principal -> {
      Channel channel = Channel.parse(ctx.pathParam("channel"));
      gateway.config().channelRules().checkSubscribe(principal, channel);
      Long since = queryNumber(ctx, "since");
      Long limitParam = queryNumber(ctx, "limit");
      int limit = limitParam == null ? DEFAULT_HISTORY_LIMIT : (int) Math.min(Math.max(limitParam, 1), MAX_HISTORY_LIMIT);
      Future<HistoryPage> page = since == null
          ? gateway.store().history().latest(channel.name(), limit)
          : gateway.store().history().after(channel.name(), since, limit);
      return page.map(p -> historyBody(channel.name(), p));
    }));
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

  private static Long queryNumber(RoutingContext ctx, String name) {
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

  /** Sends a 200 JSON body, or the error shape of PROTOCOL.md section 6. */
  static void respond(RoutingContext ctx, Future<String> body) {
    body.onComplete(result -> {
      if (result.succeeded()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(result.result());
      } else {
        sendError(ctx, result.cause());
      }
    });
  }

  static void sendError(RoutingContext ctx, Throwable failure) {
    RealtimeException error = RealtimeException.from(failure);
    if (error.code() == ErrorCode.INTERNAL) {
      LOG.log(Level.SEVERE, "request failed " + ctx.request().method() + " " + ctx.request().path(), failure);
    }
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(error.code().httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(error.toRestBody().encode());
  }
}
