package io.sobranie.realtime.gateway.http;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.sobranie.realtime.common.store.BlobStore;
import io.sobranie.realtime.gateway.GatewayContext;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /realtime/binary} (and the seeds' {@code /realtime/binary/upload}): a file streamed to
 * the {@link BlobStore}, never held in memory. Everything that can be refused is refused before a
 * byte of the body is read, and then the connection is closed rather than drained: no
 * credentials (401), a declared length over {@code MAX_BLOB_BYTES} (413), the node's upload bounds
 * ({@code MAX_UPLOADS} at once, {@code MAX_UPLOAD_BYTES_IN_FLIGHT} by declared length; 503 with
 * {@code Retry-After}). A body that runs past the cap while streaming is 413 as well.
 */
public final class Uploads {
  private static final String RETRY_AFTER_SECONDS = "5";

  private final GatewayContext gateway;
  private final Authenticator authenticator;

  public Uploads(GatewayContext gateway, Authenticator authenticator) {
    this.gateway = gateway;
    this.authenticator = authenticator;
  }

  public void receive(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    request.pause();
    RealtimeConfig config = gateway.config();
    long declared;
    try {
      declared = declaredLength(request);
    } catch (RealtimeException e) {
      refuse(ctx, e);
      return;
    }
    if (declared > config.maxBlobBytes()) {
      refuse(ctx, tooLarge(config.maxBlobBytes()));
      return;
    }
    String filename = request.getHeader("X-Filename");
    if (filename != null && (filename.isEmpty() || filename.length() > 255 || filename.chars().anyMatch(Character::isISOControl))) {
      refuse(ctx, RealtimeException.badRequest("'X-Filename' must be 1..255 characters without control characters"));
      return;
    }
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    authenticator.authenticate(request, false).onComplete(auth -> {
      if (auth.failed()) {
        refuse(ctx, auth.cause());
        return;
      }
      long reserved = declared >= 0 ? declared : config.maxBlobBytes();
      if (!gateway.limits().reserveUpload(reserved)) {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        refuse(ctx, new RealtimeException(ErrorCode.UNAVAILABLE, "too many uploads on this node; retry shortly"));
        return;
      }
      gateway.blobs().receive(request, contentType == null ? "application/octet-stream" : contentType, filename, config.maxBlobBytes())
          .onComplete(stored -> {
            gateway.limits().releaseUpload(reserved);
            if (stored.succeeded()) {
              BlobStore.Blob blob = stored.result();
              RestApi.respond(ctx, 201, Future.succeededFuture(new JsonObject().put("id", blob.id())
                  .put("url", "/realtime/binary/" + blob.id()).put("contentType", blob.contentType())
                  .put("filename", blob.filename()).put("size", blob.size()).encode()));
            } else if (stored.cause() instanceof BlobStore.TooLargeException) {
              refuse(ctx, tooLarge(config.maxBlobBytes()));
            } else if (!ctx.response().closed()) {
              refuse(ctx, stored.cause());
            }
          });
    });
  }

  /** The body's declared length, -1 when chunked; a malformed one is a bad request. */
  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      long value = Long.parseLong(length.trim());
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw RealtimeException.badRequest("malformed Content-Length");
  }

  private static RealtimeException tooLarge(long max) {
    return new RealtimeException(ErrorCode.TOO_LARGE, "the file is larger than " + max + " bytes");
  }

  /** Answers without reading the rest of the body, and closes the connection (its unread body would follow). */
  private static void refuse(RoutingContext ctx, Throwable failure) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(v -> ctx.request().connection().close());
    RestApi.sendError(ctx, failure);
  }
}
