package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.function.Function;

/**
 * One Lua script, run atomically by Redis, always sent with {@code EVAL} and its source (Redis
 * caches it by SHA-1 and does not compile it again). Not {@code EVALSHA} with an {@code EVAL}
 * retry on {@code NOSCRIPT}: where the script is not cached yet (a node's first use, a restart,
 * a failover, {@code SCRIPT FLUSH}), the retried command would run after commands sent behind
 * it on the same lane, and a caller's appends would stop getting increasing seqs. Every key a
 * script touches is in {@code keys} and hashes to the slot of {@code keys[0]}, so a Redis
 * Cluster runs it on one slot.
 */
final class RedisScript {
  private final String source;

  RedisScript(String source) {
    this.source = source;
  }

  /**
   * Runs the script through {@code send}; {@code keys} must not be empty (the first routes the call
   * in a cluster).
   */
  Future<Response> run(Function<Request, Future<Response>> send, List<String> keys, List<String> args) {
    Request request = Request.cmd(Command.EVAL).arg(source).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return send.apply(request);
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
