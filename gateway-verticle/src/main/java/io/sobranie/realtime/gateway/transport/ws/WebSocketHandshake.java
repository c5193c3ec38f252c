package io.sobranie.realtime.gateway.transport.ws;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.sobranie.realtime.gateway.http.Channels;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The opening handshake of RFC 6455 section 4.2, answered by us rather than by Vert.x's
 * {@code toWebSocket()}, whose WebSocket keeps the whole upgrade request and a cross-thread write
 * queue for every connection (docs/benchmarks.md). The 101 leaves through Vert.x's response, so
 * its request metrics and the slow-client guard see an ordinary answer; then the pipeline becomes
 * a WebSocket's: Netty's frame decoder where the HTTP decoder was, no HTTP encoder (our frames
 * leave as bytes), and the socket's handler in front of Vert.x's HTTP
 * connection, which stays behind it only to hear that the connection closed (its connection
 * count) and never sees a frame. Nothing of the request is kept.
 */
final class WebSocketHandshake {
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  /** 16 random bytes in base64 (section 4.1). */
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9+/]{21}[AQgw]==");
  private static final String SUPPORTED_VERSION = "13";
  private static final String HANDLER_NAME = "realtime-websocket";
  /** One per event loop: looking a digest up per handshake was a quarter of the connect path's allocations. */
  private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  });

  private WebSocketHandshake() {
  }

  /** Why the request cannot become a WebSocket here, or null when it can. */
  static String refusal(HttpServerRequest request) {
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      return "expected a WebSocket upgrade";
    }
    if (request.version() != HttpVersion.HTTP_1_1) {
      return "a WebSocket upgrade needs HTTP/1.1";
    }
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    if (connection == null || !hasToken(connection, "upgrade")) {
      return "expected 'Connection: Upgrade'";
    }
    String key = request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    if (key == null || !KEY.matcher(key.trim()).matches()) {
      return "missing or malformed Sec-WebSocket-Key";
    }
    return null;
  }

  /** Whether the client speaks the WebSocket version we do (else answer 400 with {@link #offerVersion}). */
  static boolean versionSupported(HttpServerRequest request) {
    String version = request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
    return version != null && version.trim().equals(SUPPORTED_VERSION);
  }

  /** Section 4.4: a refused version is answered with the one we speak. */
  static void offerVersion(HttpServerResponse response) {
    response.putHeader(HttpHeaderNames.SEC_WEBSOCKET_VERSION, SUPPORTED_VERSION);
  }

  /**
   * Answers 101 to a request {@link #refusal} accepted and hands the connection to {@code socket}.
   * Runs on the connection's event loop (strict thread mode: the 101 is encoded before this
   * returns, and no byte after the request is read before the pipeline is a WebSocket's).
   *
   * @param maxFrameBytes  the largest frame payload the decoder reads (larger ones break the input)
   * @param extensions     whether extensions (permessage-deflate) may have been negotiated: their
   *                       frames carry reserved bits Netty's extension handler of Vert.x's pipeline
   *                       decodes
   * @return false when the client went away meanwhile (nothing is written)
   */
  static boolean complete(HttpServerRequest request, WebSocketTransport socket, int maxFrameBytes, boolean extensions) {
    Channel channel = Channels.of(request);
    if (!channel.isActive()) {
      return false;
    }
    HttpServerResponse response = request.response()
        .setStatusCode(101)
        .putHeader(HttpHeaders.UPGRADE, "websocket")
        .putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE)
        .putHeader(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, accept(request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_KEY).trim()));
    // Vert.x adds "content-length: 0" to an empty response; a 1xx must not carry one (RFC 9110 8.6).
    response.headersEndHandler(v -> response.headers().remove(HttpHeaders.CONTENT_LENGTH));
    ChannelPipeline pipeline = channel.pipeline();
    // Ours first, so whatever the HTTP decoder still holds reaches it through the frame decoder.
    pipeline.addBefore("handler", HANDLER_NAME, socket);
    socket.upgraded(response.end());
    pipeline.replace("httpDecoder", "ws-decoder", new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(maxFrameBytes)
        .expectMaskedFrames(true)
        .allowExtensions(extensions)
        .closeOnProtocolViolation(false)
        .build()));
    pipeline.remove("httpEncoder");
    removeIfPresent(pipeline, HttpContentCompressor.class);
    removeIfPresent(pipeline, HttpContentDecompressor.class);
    return true;
  }

  private static void removeIfPresent(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
    if (pipeline.get(type) != null) {
      pipeline.remove(type);
    }
  }

  /** {@code Sec-WebSocket-Accept}: base64 of the SHA-1 of the key and the protocol's GUID (section 4.2.2). */
  static String accept(String key) {
    return Base64.getEncoder().encodeToString(SHA1.get().digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
  }

  private static boolean hasToken(String header, String token) {
    for (String part : header.split(",")) {
      if (part.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }
}
