package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.function.LongSupplier;

/**
 * Tickets in Redis: {@code P ticket:TOKEN} holds {@code {"principal":…, "exp":…}} with a
 * {@code PX} expiry of the ticket's ttl (which frees it). Redeeming is one {@code GETDEL}, so a
 * ticket is spent once even when two nodes race for it; validity is then checked against
 * {@code exp} on the callers' clock, like the in-memory store.
 */
final class RedisTicketStore implements TicketStore {
  private final Redis redis;
  private final String prefix;
  private final LongSupplier clock;

  RedisTicketStore(Redis redis, String prefix, LongSupplier clock) {
    this.redis = redis;
    this.prefix = prefix;
    this.clock = clock;
  }

  private String key(String ticket) {
    return prefix + "ticket:" + ticket;
  }

  @Override
  public Future<String> issue(Principal principal, long ttlMs) {
    String ticket = Ids.secret(24);
    String value = new JsonObject().put("principal", principal.toJson()).put("exp", clock.getAsLong() + ttlMs).encode();
    return redis.send(Request.cmd(Command.SET).arg(key(ticket)).arg(value).arg("PX").arg(Math.max(1, ttlMs)))
        .map(ticket);
  }

  @Override
  public Future<Principal> redeem(String ticket) {
    if (ticket == null) {
      return Future.succeededFuture();
    }
    return redis.send(Request.cmd(Command.GETDEL).arg(key(ticket))).map(reply -> {
      if (reply == null) {
        return null;
      }
      JsonObject entry = new JsonObject(reply.toString());
      return entry.getLong("exp") > clock.getAsLong() ? Principal.fromJson(entry.getJsonObject("principal")) : null;
    });
  }
}
