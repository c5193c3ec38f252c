package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Channel streams in Redis, with the semantics of {@link InMemoryHistoryStore}. Each channel's
 * keys share the hash tag {@code {ch:NAME}}, so channels spread over a Redis Cluster:
 * <ul>
 *   <li>{@code P{ch:NAME}:state} hash — {@code seq} (latest), {@code epoch}, {@code exp} (when the
 *       stream expires, on the callers' clock);</li>
 *   <li>{@code P{ch:NAME}:log} list — the kept messages, oldest first, each the JSON
 *       {@code {"seq","ts","id","from","kind","data"}} with {@code data} the raw JSON text as a
 *       string. Only the head is ever trimmed, so the list always holds the contiguous seqs
 *       {@code seq-len+1 .. seq} and a read after a seq is one {@code LRANGE};</li>
 *   <li>{@code P{ch:NAME}:idem} hash — idempotency key → the original message JSON, and
 *       {@code P{ch:NAME}:idemq} sorted set — the keys scored by their message's seq, the order
 *       they are forgotten in (10 minutes after the original's {@code ts}).</li>
 * </ul>
 * Every operation, reads included, is one Lua script that first checks the stream is alive
 * ({@code exp} later than the {@code now} passed in) and otherwise starts a fresh epoch at seq 0,
 * then trims by count and by age. Time is the callers' clock passed as an argument, never Redis
 * {@code TIME}, so behaviour is the in-memory store's under a test clock; Redis' own key expiry
 * ({@code PEXPIRE} of the stream lifetime, refreshed on every append) only frees memory — a
 * stream whose keys it removed restarts in a new epoch, as one whose {@code exp} passed does.
 */
final class RedisHistoryStore implements HistoryStore {
  /** KEYS: state, log, idem, idemq. ARGV: now, fresh epoch, size, ttl ms, lifetime ms, idempotency ttl ms, op args… */
  private static final String PRELUDE = """
      local now = tonumber(ARGV[1])
      local size = tonumber(ARGV[3])
      local ttl = tonumber(ARGV[4])
      local lifetime = tonumber(ARGV[5])
      local idemTtl = tonumber(ARGV[6])
      local function tsOf(message)
        return tonumber(string.match(message, '^{"seq":%d+,"ts":(%-?%d+)'))
      end
      -- The live stream's seq and epoch; a missing or expired one restarts empty in a fresh epoch.
      local function live()
        local state = redis.call('HMGET', KEYS[1], 'seq', 'epoch', 'exp')
        if state[2] and tonumber(state[3]) > now then
          return tonumber(state[1]), state[2]
        end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
        redis.call('HSET', KEYS[1], 'seq', 0, 'epoch', ARGV[2], 'exp', now + lifetime)
        redis.call('PEXPIRE', KEYS[1], lifetime)
        return 0, ARGV[2]
      end
      -- Keeps the last `size` messages, none older than the ttl, and idempotency keys younger than 10 min.
      local function trim()
        local len = redis.call('LLEN', KEYS[2])
        if len > size then
          if size > 0 then
            redis.call('LTRIM', KEYS[2], -size, -1)
          else
            redis.call('DEL', KEYS[2])
          end
        end
        local oldest = now - ttl
        while true do
          local head = redis.call('LINDEX', KEYS[2], 0)
          if not head or tsOf(head) >= oldest then
            break
          end
          redis.call('LPOP', KEYS[2])
        end
        local idemOldest = now - idemTtl
        while true do
          local first = redis.call('ZRANGE', KEYS[4], 0, 0)
          if #first == 0 then
            break
          end
          local original = redis.call('HGET', KEYS[3], first[1])
          if original and tsOf(original) >= idemOldest then
            break
          end
          redis.call('HDEL', KEYS[3], first[1])
          redis.call('ZREM', KEYS[4], first[1])
        end
      end
      """;

  /** ARGV[7] ts, [8] the message JSON without seq and ts, [9] '1' when [10] is an idempotency key. Answers {duplicate, epoch, message}. */
  private static final RedisScript APPEND = new RedisScript(PRELUDE + """
      local seq, epoch = live()
      trim()
      local hasKey = ARGV[9] == '1'
      if hasKey then
        local original = redis.call('HGET', KEYS[3], ARGV[10])
        if original then
          return {1, epoch, original}
        end
      end
      seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
      local message = '{"seq":' .. seq .. ',"ts":' .. ARGV[7] .. ',' .. string.sub(ARGV[8], 2)
      redis.call('RPUSH', KEYS[2], message)
      trim()
      if hasKey then
        redis.call('HSET', KEYS[3], ARGV[10], message)
        redis.call('ZADD', KEYS[4], seq, ARGV[10])
      end
      redis.call('HSET', KEYS[1], 'exp', now + lifetime)
      for i = 1, 4 do
        redis.call('PEXPIRE', KEYS[i], lifetime)
      end
      return {0, epoch, message}
      """);

  /** Answers {seq, epoch}. */
  private static final RedisScript POSITION = new RedisScript(PRELUDE + """
      local seq, epoch = live()
      return {seq, epoch}
      """);

  /** ARGV[7] since, [8] limit. Answers {seq, epoch, complete, messages…}. */
  private static final RedisScript AFTER = new RedisScript(PRELUDE + """
      local seq, epoch = live()
      trim()
      local since = tonumber(ARGV[7])
      local limit = tonumber(ARGV[8])
      local len = redis.call('LLEN', KEYS[2])
      local firstKept = seq - len + 1
      local complete = 0
      if since >= firstKept - 1 and since <= seq then
        complete = 1
      end
      local reply = {seq, epoch, complete}
      local start = math.max(0, since - firstKept + 1)
      if limit > 0 and start < len then
        local messages = redis.call('LRANGE', KEYS[2], start, start + limit - 1)
        for i = 1, #messages do
          reply[#reply + 1] = messages[i]
        end
      end
      return reply
      """);

  /** ARGV[7] limit. Answers {seq, epoch, 1, messages…}. */
  private static final RedisScript LATEST = new RedisScript(PRELUDE + """
      local seq, epoch = live()
      trim()
      local limit = tonumber(ARGV[7])
      local reply = {seq, epoch, 1}
      if limit > 0 then
        local messages = redis.call('LRANGE', KEYS[2], -limit, -1)
        for i = 1, #messages do
          reply[#reply + 1] = messages[i]
        end
      end
      return reply
      """);

  private final RedisLanes lanes;
  private final String prefix;
  private final Function<String, HistoryLimits> limitsOf;
  private final LongSupplier clock;

  RedisHistoryStore(RedisLanes lanes, String prefix, Function<String, HistoryLimits> limitsOf, LongSupplier clock) {
    this.lanes = lanes;
    this.prefix = prefix;
    this.limitsOf = limitsOf;
    this.clock = clock;
  }

  /** Commands about one channel share a lane, so they reach Redis in the order they were sent. */
  private Function<Request, Future<Response>> send(String channel) {
    return request -> lanes.send(channel, request);
  }

  /** The keys of a channel, all under its hash tag. */
  private List<String> keys(String channel) {
    String base = prefix + "{ch:" + channel + "}:";
    return List.of(base + "state", base + "log", base + "idem", base + "idemq");
  }

  /** The arguments every script takes, then the operation's own. */
  private List<String> args(String channel, Object... more) {
    HistoryLimits limits = limitsOf.apply(channel);
    long ttlMs = limits.ttlSeconds() * 1000;
    List<String> args = new ArrayList<>(6 + more.length);
    args.add(Long.toString(clock.getAsLong()));
    args.add(Ids.shortRandom());
    args.add(Integer.toString(limits.size()));
    args.add(Long.toString(ttlMs));
    args.add(Long.toString(Math.max(ttlMs, IDEMPOTENCY_TTL_MS)));
    args.add(Long.toString(IDEMPOTENCY_TTL_MS));
    for (Object arg : more) {
      args.add(String.valueOf(arg));
    }
    return args;
  }

  @Override
  public Future<AppendResult> append(String channel, MessageDraft draft, String idemKey) {
    String body = new JsonObject()
        .put("id", draft.id())
        .put("from", draft.from())
        .put("kind", draft.kind())
        .put("data", draft.data())
        .encode();
    List<String> args = args(channel, draft.ts(), body, idemKey == null ? "0" : "1", idemKey == null ? "" : idemKey);
    return APPEND.run(send(channel), keys(channel), args)
        .map(reply -> new AppendResult(message(RedisScript.string(reply, 2)), RedisScript.string(reply, 1),
            RedisScript.flag(reply, 0)));
  }

  @Override
  public Future<StreamPosition> position(String channel) {
    return POSITION.run(send(channel), keys(channel), args(channel))
        .map(reply -> new StreamPosition(RedisScript.number(reply, 0), RedisScript.string(reply, 1)));
  }

  @Override
  public Future<HistoryPage> after(String channel, long since, int limit) {
    return AFTER.run(send(channel), keys(channel), args(channel, since, limit)).map(RedisHistoryStore::page);
  }

  @Override
  public Future<HistoryPage> latest(String channel, int limit) {
    return LATEST.run(send(channel), keys(channel), args(channel, limit)).map(RedisHistoryStore::page);
  }

  private static HistoryPage page(Response reply) {
    List<StoredMessage> messages = new ArrayList<>(reply.size() - 3);
    for (int i = 3; i < reply.size(); i++) {
      messages.add(message(RedisScript.string(reply, i)));
    }
    StreamPosition position = new StreamPosition(RedisScript.number(reply, 0), RedisScript.string(reply, 1));
    return new HistoryPage(position, List.copyOf(messages), RedisScript.flag(reply, 2));
  }

  private static StoredMessage message(String json) {
    JsonObject m = new JsonObject(json);
    return new StoredMessage(m.getLong("seq"), m.getString("id"), m.getString("from"), m.getString("kind"),
        m.getString("data"), m.getLong("ts"));
  }
}
