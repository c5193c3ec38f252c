package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * One Lua script, run atomically by Redis: {@code EVALSHA} with its SHA-1, falling back to
 * {@code EVAL} (which also caches it) when the server answers {@code NOSCRIPT} — after a restart,
 * a failover or {@code SCRIPT FLUSH}. Every key a script touches is in {@code keys} and hashes to
 * the slot of {@code keys[0]}, so a Redis Cluster runs it on one slot.
 */
final class RedisScript {
  private final String source;
  private final String sha;

  RedisScript(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /**
   * Runs the script through {@code send}; {@code keys} must not be empty (the first routes the call
   * in a cluster).
   */
  Future<Response> run(Function<Request, Future<Response>> send, List<String> keys, List<String> args) {
    return send.apply(request(Command.EVALSHA, sha, keys, args))
        .recover(failure -> isNoScript(failure)
            ? send.apply(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(failure));
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static boolean isNoScript(Throwable failure) {
    String message = failure.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static String sha1(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }

  // ------------------------------------------------------------ reply helpers shared by the stores

  /** The element as text, or null for a nil element. */
  static String string(Response reply, int index) {
    Response element = reply.get(index);
    return element == null ? null : element.toString();
  }

  static long number(Response reply, int index) {
    return reply.get(index).toLong();
  }

  static boolean flag(Response reply, int index) {
    return reply.get(index).toLong() != 0;
  }
}
