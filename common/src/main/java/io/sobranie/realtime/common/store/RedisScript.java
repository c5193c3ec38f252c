package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.function.Function;

/**
 * One Lua script, run atomically by Redis with {@code EVAL} and its source every time. Not
 * {@code EVALSHA} with the source again on {@code NOSCRIPT}: a retried call runs after the calls
 * sent behind it, so appends pipelined by one producer (the store contract's concurrent appends)
 * got seqs out of their sending order whenever a Redis had not cached the script yet (its first
 * use, a restart, a failover, a {@code SCRIPT FLUSH}). EVALSHA was measured ~25 % cheaper per call
 * in Redis (docs/benchmarks.md); the order comes first. Every key a script touches is in
 * {@code keys} and hashes to the slot of {@code keys[0]}, so a Redis Cluster runs it on one slot.
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
    return send.apply(request(Command.EVAL, source, keys, args));
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
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
