package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Notification streams in Redis, with the semantics of {@link InMemoryNotificationStore}. Each
 * user's keys share the hash tag {@code {u:ID}}:
 * <ul>
 *   <li>{@code P{u:ID}:n:state} hash — {@code seq}, {@code epoch}, {@code delivered} (the
 *       {@code deliveredUpTo} watermark);</li>
 *   <li>{@code P{u:ID}:n:items} list — the kept notifications, oldest first, as JSON
 *       {@code {"seq","ts","id","kind","data"}}; only the head is trimmed, so it holds the
 *       contiguous seqs {@code seq-len+1 .. seq};</li>
 *   <li>{@code P{u:ID}:n:unread} sorted set — the seqs of the kept unread ones (score = member =
 *       seq): the unread count is its exact size, and marking read up to a seq is one range removal;</li>
 *   <li>{@code P{u:ID}:n:ids} hash — notification id → seq, for marking read by id.</li>
 * </ul>
 * Every operation is one Lua script that creates the stream (with its epoch) when missing — reads
 * too, so the first append keeps the epoch a reader was told — and trims to the last
 * {@link #MAX_PER_USER} and to {@link #TTL_MS} by comparing stored {@code ts} with the {@code now}
 * passed in. Redis' own expiry ({@code PEXPIRE} {@link #TTL_MS}, refreshed by every write) only
 * frees the keys of users inactive that long, by which time every notification was trimmed anyway;
 * such a user starts a new epoch.
 */
final class RedisNotificationStore implements NotificationStore {
  /** KEYS: state, items, unread, ids. ARGV: now, fresh epoch, ttl ms, max kept, op args… */
  private static final String PRELUDE = """
      local now = tonumber(ARGV[1])
      local ttl = tonumber(ARGV[3])
      local max = tonumber(ARGV[4])
      local function seqOf(item)
        return string.match(item, '^{"seq":(%d+)')
      end
      local function user()
        local state = redis.call('HMGET', KEYS[1], 'seq', 'epoch', 'delivered')
        if state[2] then
          return tonumber(state[1]), state[2], tonumber(state[3])
        end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
        redis.call('HSET', KEYS[1], 'seq', 0, 'epoch', ARGV[2], 'delivered', 0)
        redis.call('PEXPIRE', KEYS[1], ttl)
        return 0, ARGV[2], 0
      end
      -- Drops the oldest while more than `max` are kept or the oldest is older than the ttl.
      local function trim()
        local len = redis.call('LLEN', KEYS[2])
        local oldest = now - ttl
        while len > 0 do
          local head = redis.call('LINDEX', KEYS[2], 0)
          local ts = tonumber(string.match(head, '^{"seq":%d+,"ts":(%-?%d+)'))
          if len <= max and ts >= oldest then
            break
          end
          redis.call('LPOP', KEYS[2])
          local seq = seqOf(head)
          redis.call('ZREM', KEYS[3], seq)
          local id = cjson.decode(head)['id']
          if type(id) == 'string' and redis.call('HGET', KEYS[4], id) == seq then
            redis.call('HDEL', KEYS[4], id)
          end
          len = len - 1
        end
      end
      local function touch()
        for i = 1, 4 do
          redis.call('PEXPIRE', KEYS[i], ttl)
        end
      end
      -- Each item followed by its read flag.
      local function withFlags(reply, items)
        for i = 1, #items do
          reply[#reply + 1] = items[i]
          reply[#reply + 1] = redis.call('ZSCORE', KEYS[3], seqOf(items[i])) and 0 or 1
        end
        return reply
      end
      """;

  /** ARGV[5] ts, [6] the notification JSON without seq and ts, [7] its id. Answers {epoch, item, unread}. */
  private static final RedisScript APPEND = new RedisScript(PRELUDE + """
      local _, epoch = user()
      trim()
      local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
      local item = '{"seq":' .. seq .. ',"ts":' .. ARGV[5] .. ',' .. string.sub(ARGV[6], 2)
      redis.call('RPUSH', KEYS[2], item)
      redis.call('ZADD', KEYS[3], seq, seq)
      redis.call('HSET', KEYS[4], ARGV[7], seq)
      trim()
      touch()
      return {epoch, item, redis.call('ZCARD', KEYS[3])}
      """);

  /** Answers {seq, epoch}. */
  private static final RedisScript POSITION = new RedisScript(PRELUDE + """
      local seq, epoch = user()
      return {seq, epoch}
      """);

  /** ARGV[5] since, [6] limit. Answers {seq, epoch, unread, complete, (item, read)…}. */
  private static final RedisScript AFTER = new RedisScript(PRELUDE + """
      local seq, epoch = user()
      trim()
      local since = tonumber(ARGV[5])
      local limit = tonumber(ARGV[6])
      local len = redis.call('LLEN', KEYS[2])
      local firstKept = seq - len + 1
      local complete = 0
      if since >= firstKept - 1 and since <= seq then
        complete = 1
      end
      local reply = {seq, epoch, redis.call('ZCARD', KEYS[3]), complete}
      local start = math.max(0, since - firstKept + 1)
      if limit > 0 and start < len then
        withFlags(reply, redis.call('LRANGE', KEYS[2], start, start + limit - 1))
      end
      return reply
      """);

  /** ARGV[5] before ('' for the newest), [6] limit. Answers {seq, epoch, unread, 1, (item, read)…} newest first. */
  private static final RedisScript BEFORE = new RedisScript(PRELUDE + """
      local seq, epoch = user()
      trim()
      local limit = tonumber(ARGV[6])
      local len = redis.call('LLEN', KEYS[2])
      local firstKept = seq - len + 1
      local last = len - 1
      if ARGV[5] ~= '' then
        last = math.min(last, tonumber(ARGV[5]) - firstKept - 1)
      end
      local reply = {seq, epoch, redis.call('ZCARD', KEYS[3]), 1}
      if limit > 0 and last >= 0 then
        local items = redis.call('LRANGE', KEYS[2], math.max(0, last - limit + 1), last)
        local newestFirst = {}
        for i = #items, 1, -1 do
          newestFirst[#newestFirst + 1] = items[i]
        end
        withFlags(reply, newestFirst)
      end
      return reply
      """);

  /** ARGV[5] upTo. Answers the unread count. */
  private static final RedisScript MARK_READ_UP_TO = new RedisScript(PRELUDE + """
      user()
      trim()
      redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[5])
      touch()
      return redis.call('ZCARD', KEYS[3])
      """);

  /** ARGV[5…] ids. Answers the unread count. */
  private static final RedisScript MARK_READ = new RedisScript(PRELUDE + """
      user()
      trim()
      for i = 5, #ARGV do
        local seq = redis.call('HGET', KEYS[4], ARGV[i])
        if seq then
          redis.call('ZREM', KEYS[3], seq)
        end
      end
      touch()
      return redis.call('ZCARD', KEYS[3])
      """);

  /** Answers the unread count. */
  private static final RedisScript UNREAD = new RedisScript(PRELUDE + """
      user()
      trim()
      return redis.call('ZCARD', KEYS[3])
      """);

  /** Answers the watermark. */
  private static final RedisScript DELIVERED_UP_TO = new RedisScript(PRELUDE + """
      local seq, epoch, delivered = user()
      return delivered
      """);

  /** ARGV[5] seq: raises the watermark to it, never above the latest seq. */
  private static final RedisScript MARK_DELIVERED = new RedisScript(PRELUDE + """
      local seq, epoch, delivered = user()
      local raised = math.max(delivered, math.min(tonumber(ARGV[5]), seq))
      if raised ~= delivered then
        redis.call('HSET', KEYS[1], 'delivered', raised)
      end
      touch()
      return raised
      """);

  private final RedisLanes lanes;
  private final String prefix;
  private final LongSupplier clock;

  RedisNotificationStore(RedisLanes lanes, String prefix, LongSupplier clock) {
    this.lanes = lanes;
    this.prefix = prefix;
    this.clock = clock;
  }

  /** Commands about one user share a lane, so they reach Redis in the order they were sent. */
  private Function<Request, Future<Response>> send(String userId) {
    return request -> lanes.send(userId, request);
  }

  private List<String> keys(String userId) {
    String base = prefix + "{u:" + userId + "}:n:";
    return List.of(base + "state", base + "items", base + "unread", base + "ids");
  }

  private List<String> args(Object... more) {
    List<String> args = new ArrayList<>(4 + more.length);
    args.add(Long.toString(clock.getAsLong()));
    args.add(Ids.shortRandom());
    args.add(Long.toString(TTL_MS));
    args.add(Integer.toString(MAX_PER_USER));
    for (Object arg : more) {
      args.add(String.valueOf(arg));
    }
    return args;
  }

  @Override
  public Future<Appended> append(String userId, String id, String kind, String data, long ts) {
    String body = new JsonObject().put("id", id).put("kind", kind).put("data", data).encode();
    return APPEND.run(send(userId), keys(userId), args(ts, body, id))
        .map(reply -> new Appended(item(RedisScript.string(reply, 1), false), RedisScript.string(reply, 0),
            RedisScript.number(reply, 2)));
  }

  @Override
  public Future<StreamPosition> position(String userId) {
    return POSITION.run(send(userId), keys(userId), args())
        .map(reply -> new StreamPosition(RedisScript.number(reply, 0), RedisScript.string(reply, 1)));
  }

  @Override
  public Future<NotificationPage> after(String userId, long since, int limit) {
    return AFTER.run(send(userId), keys(userId), args(since, limit)).map(RedisNotificationStore::page);
  }

  @Override
  public Future<NotificationPage> before(String userId, Long before, int limit) {
    return BEFORE.run(send(userId), keys(userId), args(before == null ? "" : before, limit)).map(RedisNotificationStore::page);
  }

  @Override
  public Future<Long> markReadUpTo(String userId, long upTo) {
    return MARK_READ_UP_TO.run(send(userId), keys(userId), args(upTo)).map(Response::toLong);
  }

  @Override
  public Future<Long> markRead(String userId, Collection<String> ids) {
    return MARK_READ.run(send(userId), keys(userId), args(ids.toArray())).map(Response::toLong);
  }

  @Override
  public Future<Long> unread(String userId) {
    return UNREAD.run(send(userId), keys(userId), args()).map(Response::toLong);
  }

  @Override
  public Future<Long> deliveredUpTo(String userId) {
    return DELIVERED_UP_TO.run(send(userId), keys(userId), args()).map(Response::toLong);
  }

  @Override
  public Future<Void> markDelivered(String userId, long seq) {
    return MARK_DELIVERED.run(send(userId), keys(userId), args(seq)).mapEmpty();
  }

  /** {seq, epoch, unread, complete, (item, read)…}. */
  private static NotificationPage page(Response reply) {
    List<StoredNotification> items = new ArrayList<>((reply.size() - 4) / 2);
    for (int i = 4; i + 1 < reply.size(); i += 2) {
      items.add(item(RedisScript.string(reply, i), RedisScript.flag(reply, i + 1)));
    }
    return new NotificationPage(new StreamPosition(RedisScript.number(reply, 0), RedisScript.string(reply, 1)),
        List.copyOf(items), RedisScript.number(reply, 2), RedisScript.flag(reply, 3));
  }

  private static StoredNotification item(String json, boolean read) {
    JsonObject n = new JsonObject(json);
    return new StoredNotification(n.getLong("seq"), n.getString("id"), n.getString("kind"), n.getString("data"),
        n.getLong("ts"), read);
  }
}
