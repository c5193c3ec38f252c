package io.sobranie.realtime.gateway.http;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Failures outside any endpoint, in the REST error shape and never a stack trace. */
public final class HttpErrors {
  private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());

  private HttpErrors() {
  }

  /** Answers the router's own failures (no route, body too large, a bug) in the REST error shape. */
  public static void install(Router router) {
    for (ErrorCode code : ErrorCode.values()) {
      router.errorHandler(code.httpStatus(), HttpErrors::routeError);
    }
    router.errorHandler(405, ctx -> RestApi.sendError(ctx, RealtimeException.badRequest("method not allowed")));
  }

  /**
   * A URL whose percent-encoding does not decode (e.g. {@code /realtime/history/%E0%A4%A}) is the
   * client's mistake: 400 here, before a route's parameter decoding fails as a 500.
   */
  public static void checkUrl(RoutingContext ctx) {
    try {
      URLDecoder.decode(ctx.request().path(), StandardCharsets.UTF_8);
      ctx.request().params();
    } catch (IllegalArgumentException malformed) {
      RestApi.sendError(ctx, RealtimeException.badRequest("malformed percent-encoding in the URL"));
      return;
    }
    ctx.next();
  }

  private static void routeError(RoutingContext ctx) {
    RealtimeException error = switch (ctx.statusCode()) {
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
}
