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
 * One Lua script, run atomically by Redis: sent as {@code EVALSHA} (its SHA-1 only), and again
 * with its source ({@code EVAL}, which also caches it) when that Redis answers {@code NOSCRIPT}:
 * its first use on a Redis, after a restart, a failover or a {@code SCRIPT FLUSH}. The source of
 * a store script is ~3 KB: sent every time, Redis hashed it on every call (a fifth of an append's
 * cost there) and the node encoded and wrote it.
 *
 * <p>A retried command runs after commands sent behind it on the same lane; what must stay in
 * order never travels that way: a connection's messages are appended one at a time (its session
 * waits for each append's answer before sending the next), a read that must see an append is
 * sent once the append answered, and presence operations about one user run one after another
 * ({@link KeyedSequence}). What may be pipelined (a service's publishes or notifications sent
 * without waiting) has no order promise across a cluster's chat and notification instances;
 * within one node's lane it is kept except for the commands around a {@code NOSCRIPT}. Every key
 * a script touches is in {@code keys} and hashes to the slot of {@code keys[0]}, so a Redis
 * Cluster runs it on one slot, and its {@code NOSCRIPT} comes from the primary of that slot.
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

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
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
