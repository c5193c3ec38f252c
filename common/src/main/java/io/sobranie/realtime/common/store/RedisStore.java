package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The shared store on Redis (required with {@code CLUSTER=true}): every command is async through a
 * pooled client, and every multi-step operation is one Lua script, so any number of nodes may use
 * it at once. Commands about one channel or user go down one kept connection (a
 * {@link RedisLanes lane}), so one caller's commands keep their order; presence operations made of
 * several commands are also run one after another per user. Key layout (see each store's doc), with a configurable prefix {@code P} (default
 * {@value #DEFAULT_PREFIX}):
 * <ul>
 *   <li>history: {@code P{ch:NAME}:state|log|idem|idemq} — one hash tag per channel;</li>
 *   <li>notifications: {@code P{u:ID}:n:state|items|unread|ids} — one hash tag per user;</li>
 *   <li>tickets: {@code Pticket:TOKEN};</li>
 *   <li>presence: {@code P{u:ID}:p:…} per user, {@code P{ch:NAME}:p:…} per room, and the node
 *       registry {@code P{presence}:…} (see {@link RedisPresenceStore});</li>
 *   <li>one generation key per slot that holds channels, {@code P{gN}:gen} (see {@link RedisHistoryStore});</li>
 *   <li>{@code P{health}:probe}, written by health checks.</li>
 * </ul>
 * Every script and multi-key command touches one hash slot, so the layout works unchanged on a
 * standalone Redis, a Sentinel-managed primary and a Redis Cluster ({@link RedisServers}).
 * Time comes from the {@code clock} given here (the callers' clock), never from Redis, and every
 * expiry that callers can observe is checked against it; Redis key expiry only frees memory.
 * Production Redis should run with AOF {@code appendfsync everysec}: an acked message is then lost
 * only if Redis crashes within that second (PROTOCOL.md section 8).
 */
public final class RedisStore implements Store {
  public static final String DEFAULT_PREFIX = "rt:";
  /** Pooled connections per store: {@value #LANES} kept as ordered lanes, the rest for one-off commands. */
  public static final int DEFAULT_POOL_SIZE = 8;
  /** Commands that may wait for a connection, or be in flight on one, before new ones fail fast (overload). */
  public static final int DEFAULT_POOL_WAITING = 16_384;
  /** Ordered pipelines for stream commands (see {@link RedisLanes}). */
  static final int LANES = 4;

  private static final Logger LOG = Logger.getLogger(RedisStore.class.getName());
  private static final long HEALTH_PROBE_TTL_MS = 10_000;

  /**
   * How long the Sentinel client reuses the primary's address it asked for (the client's default is
   * 1 s): after a failover the lanes wait this long, plus {@value #SWITCH_MARGIN_MS} ms, before they
   * reconnect, so they cannot reconnect through an address cached before the switch.
   */
  private static final long SENTINEL_TOPOLOGY_TTL_MS = 250;
  private static final long SWITCH_MARGIN_MS = 100;

  private final Redis redis;
  private final AtomicBoolean refusesWrites = new AtomicBoolean();
  private final RedisLanes lanes;
  /** Sentinel mode only, else null. */
  private final SentinelWatch sentinelWatch;
  private final String prefix;
  private final RedisHistoryStore history;
  private final RedisTicketStore tickets;
  private final RedisNotificationStore notifications;
  private final RedisPresenceStore presence;

  private RedisStore(Vertx vertx, RedisOptions options, String prefix, Function<String, HistoryLimits> limitsOf,
                     LongSupplier clock) {
    this.redis = Redis.createClient(vertx, options);
    this.lanes = new RedisLanes(redis, LANES);
    this.sentinelWatch = options.getType() == RedisClientType.SENTINEL
        ? new SentinelWatch(vertx, options, lanes, options.getTopologyCacheTTL() + SWITCH_MARGIN_MS)
        : null;
    this.prefix = prefix;
    this.history = new RedisHistoryStore(lanes, prefix, limitsOf, clock);
    this.tickets = new RedisTicketStore(redis, prefix, clock);
    this.notifications = new RedisNotificationStore(lanes, prefix, clock);
    this.presence = new RedisPresenceStore(lanes, prefix);
  }

  /** Connects to {@code redisUrl} (e.g. {@code redis://127.0.0.1:6379}) with the system clock. */
  public static Future<RedisStore> connect(Vertx vertx, String redisUrl, Function<String, HistoryLimits> limitsOf) {
    return connect(vertx, redisUrl, limitsOf, System::currentTimeMillis);
  }

  /** Connects with a clock of epoch milliseconds, so tests can move time. */
  public static Future<RedisStore> connect(Vertx vertx, String redisUrl, Function<String, HistoryLimits> limitsOf,
                                           LongSupplier clock) {
    return connect(vertx, options(redisUrl), DEFAULT_PREFIX, limitsOf, clock);
  }

  /**
   * Connects with full client options (e.g. a cluster or sentinel type) and a key prefix, which must
   * not contain <code>{</code> (the hash tags follow it). Succeeds once Redis answers a PING (and, with
   * Sentinel, once the failover watch is subscribed), so a wrong URL or a Redis that is down fails
   * here, loudly.
   */
  public static Future<RedisStore> connect(Vertx vertx, RedisOptions options, String keyPrefix,
                                           Function<String, HistoryLimits> limitsOf, LongSupplier clock) {
    if (keyPrefix == null || keyPrefix.contains("{") || keyPrefix.contains("}")) {
      return Future.failedFuture(new IllegalArgumentException("the Redis key prefix must not contain braces: " + keyPrefix));
    }
    RedisStore store = new RedisStore(vertx, options, keyPrefix, limitsOf, clock);
    return store.ping()
        .compose(pong -> store.lanes.open())
        .compose(open -> store.sentinelWatch == null ? Future.succeededFuture() : store.sentinelWatch.start())
        .andThen(started -> store.checkEvictionPolicy())
        .map(store)
        .recover(failure -> store.close().transform(closed -> Future.<RedisStore>failedFuture(
            new IllegalStateException("Redis at " + safe(options.getEndpoints()) + " does not answer: " + failure.getMessage(),
                failure))));
  }

  /** Client options for a standalone Redis at {@code redisUrl}, with this store's pool sizes. */
  public static RedisOptions options(String redisUrl) {
    return options(RedisServers.standalone(redisUrl));
  }

  /**
   * Client options for {@code servers}, with this store's pool sizes (per server). Sentinel mode
   * connects to the primary only; the client's own automatic failover stays off because it may
   * reconnect through a topology it cached before the switch (back to the old primary) and leaves
   * {@link RedisLanes}' end handlers on the replaced connection: {@link SentinelWatch} moves the
   * lanes instead. Cluster mode reads and writes on the primaries only.
   */
  public static RedisOptions options(RedisServers servers) {
    RedisOptions options = new RedisOptions()
        .setEndpoints(new ArrayList<>(servers.urls()))
        .setMaxPoolSize(DEFAULT_POOL_SIZE)
        .setMaxPoolWaiting(DEFAULT_POOL_WAITING)
        .setMaxWaitingHandlers(DEFAULT_POOL_WAITING);
    return switch (servers.mode()) {
      case STANDALONE -> options.setType(RedisClientType.STANDALONE);
      case SENTINEL -> options.setType(RedisClientType.SENTINEL).setRole(RedisRole.MASTER)
          .setMasterName(servers.masterName()).setAutoFailover(false).setTopologyCacheTTL(SENTINEL_TOPOLOGY_TTL_MS);
      case CLUSTER -> options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
    };
  }

  /**
   * Warns when Redis may evict single keys: stream epochs (a state evicted alone would restart a
   * channel in an epoch already used) and exact unread counts assume {@code maxmemory-policy noeviction}. Managed Redis often refuses CONFIG: then nothing is said.
   */
  private void checkEvictionPolicy() {
    redis.send(Request.cmd(Command.CONFIG).arg("GET").arg("maxmemory-policy")).onSuccess(reply -> {
      String policy = reply == null ? null : reply.containsKey("maxmemory-policy") ? reply.get("maxmemory-policy").toString()
          : reply.size() == 2 ? reply.get(1).toString() : null; // RESP3 map or RESP2 [name, value]
      if (policy != null && !policy.equals("noeviction")) {
        LOG.warning("Redis maxmemory-policy is " + policy + ": it may evict single keys and lose stream state; "
            + "run Redis with maxmemory-policy noeviction (docs/operations.md)");
      }
    });
  }

  /** The URLs without credentials, for messages. */
  private static String safe(List<String> urls) {
    return String.join(",", urls.stream().map(url -> url.replaceFirst("//[^@/]*@", "//")).toList());
  }

  RedisLanes lanes() {
    return lanes;
  }

  /** The prefix of every key this store writes. */
  public String keyPrefix() {
    return prefix;
  }

  @Override
  public HistoryStore history() {
    return history;
  }

  @Override
  public TicketStore tickets() {
    return tickets;
  }

  @Override
  public NotificationStore notifications() {
    return notifications;
  }

  @Override
  public PresenceStore presence() {
    return presence;
  }

  /**
   * A write, not a PING: a Redis at its {@code maxmemory} with {@code noeviction} still answers
   * PING but refuses every write, and then the node cannot store a message (health must say so).
   * The refusal is logged when it starts and when it ends.
   */
  @Override
  public Future<Void> ping() {
    return redis.send(Request.cmd(Command.SET).arg(prefix + "{health}:probe").arg("1").arg("PX").arg(HEALTH_PROBE_TTL_MS))
        .<Void>mapEmpty()
        .andThen(result -> {
          boolean refusing = result.failed() && String.valueOf(result.cause().getMessage()).startsWith("OOM");
          if (refusing != refusesWrites.getAndSet(refusing)) {
            if (refusing) {
              LOG.severe("Redis refuses writes: out of memory (maxmemory reached); messages cannot be stored");
            } else {
              LOG.warning("Redis accepts writes again");
            }
          }
        });
  }

  @Override
  public Future<Void> close() {
    Future<Void> watch = sentinelWatch == null ? Future.succeededFuture() : sentinelWatch.close();
    return watch.eventually(lanes::close).eventually(redis::close);
  }
}
