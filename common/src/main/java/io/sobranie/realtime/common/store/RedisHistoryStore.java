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
 *       stream expires, on the callers' clock) and {@code life} (how many lives it had before);
 *       kept {@link HistoryStore#STATE_HORIZON_MS} longer than the data, so the next life gets the
 *       next epoch;</li>
 *   <li>{@code P{ch:NAME}:log} list — the kept messages, oldest first, each the JSON
 *       {@code {"seq","ts","id","from","kind","data"}} with {@code data} the raw JSON text as a
 *       string. Only the head is ever trimmed, so the list always holds the contiguous seqs
 *       {@code seq-len+1 .. seq} and a read after a seq is one {@code LRANGE};</li>
 *   <li>{@code P{ch:NAME}:idem} hash — idempotency key → the original message JSON, and
 *       {@code P{ch:NAME}:idemq} sorted set — the keys scored by their message's seq, the order
 *       they are forgotten in (10 minutes after the original's {@code ts}).</li>
 * </ul>
 * plus one key per cluster slot, {@code P{gN}:gen} (a tag of the channel's slot, {@link RedisSlots}):
 * the slot's store generation, a random token made once and lost only with the slot's data.
 * Every operation is one Lua script that first checks the stream is alive ({@code exp} later than
 * the {@code now} passed in); a missing or expired stream reads as seq 0 in the epoch of its next
 * life, {@code GENERATION.LIFE}, and only an append starts that life, so reading channels nobody
 * wrote stores nothing but the slot's generation. Scripts then trim by count and by age. Time is the callers' clock passed as an argument, never Redis {@code TIME}, so
 * behaviour is the in-memory store's under a test clock; Redis' own key expiry ({@code PEXPIRE}
 * of the stream lifetime, refreshed on every append) only frees memory.
 */
final class RedisHistoryStore implements HistoryStore {
  /** KEYS: state, log, idem, idemq, gen. ARGV: now, a fresh generation, size, ttl ms, lifetime ms, idempotency ttl ms, horizon ms, op args… */
  private static final String PRELUDE = """
      local now = tonumber(ARGV[1])
      local horizon = tonumber(ARGV[7])
      local size = tonumber(ARGV[3])
      local ttl = tonumber(ARGV[4])
      local lifetime = tonumber(ARGV[5])
      local idemTtl = tonumber(ARGV[6])
      local function tsOf(message)
        return tonumber(string.match(message, '^{"seq":%d+,"ts":(%-?%d+)'))
      end
      -- The slot's generation, made on first use.
      local function generation()
        local generation = redis.call('GET', KEYS[5])
        if not generation then
          generation = ARGV[2]
          redis.call('SET', KEYS[5], generation)
        end
        return generation
      end
      -- The live stream's seq, epoch and whether it is alive. One that is not (never written, or
      -- expired: only its state is left, with its life count) reads as seq 0 in the epoch of its
      -- next life, generation.life; only `create` (an append) starts that life.
      local function live(create)
        local state = redis.call('HMGET', KEYS[1], 'seq', 'epoch', 'exp', 'life')
        if state[2] and tonumber(state[3]) > now then
          return tonumber(state[1]), state[2], true
        end
        local life = 0
        if state[4] then
          life = tonumber(state[4]) + 1
        elseif redis.call('EXISTS', KEYS[2], KEYS[3]) > 0 then
          -- Data without its state: the state was lost (deleted, evicted), and with it the life
          -- count. A new generation for the slot keeps every epoch ever told from coming back.
          redis.call('SET', KEYS[5], ARGV[2])
        end
        if state[2] or life == 0 then
          redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
        end
        local epoch = generation() .. '.' .. life
        if create then
          redis.call('HSET', KEYS[1], 'seq', 0, 'epoch', epoch, 'exp', now + lifetime, 'life', life)
          redis.call('PEXPIRE', KEYS[1], lifetime + horizon)
        end
        return 0, epoch, create
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

  /** ARGV[8] ts, [9] the message JSON without seq and ts, [10] '1' when [11] is an idempotency key. Answers {duplicate, epoch, message}. */
  private static final RedisScript APPEND = new RedisScript(PRELUDE + """
      local seq, epoch = live(true)
      local hasKey = ARGV[10] == '1'
      if hasKey then
        -- An original past the idempotency window is not one (trim() below forgets it).
        local original = redis.call('HGET', KEYS[3], ARGV[11])
        if original and tsOf(original) >= now - idemTtl then
          return {1, epoch, original}
        end
      end
      seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
      local message = '{"seq":' .. seq .. ',"ts":' .. ARGV[8] .. ',' .. string.sub(ARGV[9], 2)
      redis.call('RPUSH', KEYS[2], message)
      trim()
      redis.call('HSET', KEYS[1], 'exp', now + lifetime)
      redis.call('PEXPIRE', KEYS[1], lifetime + horizon)
      redis.call('PEXPIRE', KEYS[2], lifetime)
      if hasKey then
        -- The idempotency keys live on only with such appends: past `lifetime` (>= the window)
        -- after the last one, every key in them is forgotten anyway.
        redis.call('HSET', KEYS[3], ARGV[11], message)
        redis.call('ZADD', KEYS[4], seq, ARGV[11])
        redis.call('PEXPIRE', KEYS[3], lifetime)
        redis.call('PEXPIRE', KEYS[4], lifetime)
      end
      return {0, epoch, message}
      """);

  /** Answers {seq, epoch}. */
  private static final RedisScript POSITION = new RedisScript(PRELUDE + """
      local seq, epoch = live(false)
      return {seq, epoch}
      """);

  /** ARGV[8] the idempotency key. Answers {1, epoch, original message} or {0}. */
  private static final RedisScript REPEAT = new RedisScript(PRELUDE + """
      local seq, epoch, stored = live(false)
      if not stored then
        return {0}
      end
      trim()
      local original = redis.call('HGET', KEYS[3], ARGV[8])
      if original then
        return {1, epoch, original}
      end
      return {0}
      """);

  /** ARGV[8] since, [9] limit. Answers {seq, epoch, complete, messages…}. */
  private static final RedisScript AFTER = new RedisScript(PRELUDE + """
      local seq, epoch, stored = live(false)
      if stored then
        trim()
      end
      local since = tonumber(ARGV[8])
      local limit = tonumber(ARGV[9])
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

  /** ARGV[8] limit. Answers {seq, epoch, 1, messages…}. */
  private static final RedisScript LATEST = new RedisScript(PRELUDE + """
      local seq, epoch, stored = live(false)
      if stored then
        trim()
      end
      local limit = tonumber(ARGV[8])
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

  /** The keys of a channel, all under its hash tag, and its slot's generation key. */
  private List<String> keys(String channel) {
    String tag = "ch:" + channel;
    String base = prefix + "{" + tag + "}:";
    String generation = prefix + "{" + RedisSlots.tagOfSlot(RedisSlots.slotOfTag(tag)) + "}:gen";
    return List.of(base + "state", base + "log", base + "idem", base + "idemq", generation);
  }

  /** The arguments every script takes, then the operation's own. */
  private List<String> args(String channel, Object... more) {
    HistoryLimits limits = limitsOf.apply(channel);
    long ttlMs = limits.ttlSeconds() * 1000;
    List<String> args = new ArrayList<>(7 + more.length);
    args.add(Long.toString(clock.getAsLong()));
    args.add(Ids.shortRandom());
    args.add(Integer.toString(limits.size()));
    args.add(Long.toString(ttlMs));
    args.add(Long.toString(Math.max(ttlMs, IDEMPOTENCY_TTL_MS)));
    args.add(Long.toString(IDEMPOTENCY_TTL_MS));
    args.add(Long.toString(STATE_HORIZON_MS));
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
  public Future<AppendResult> repeat(String channel, String idemKey) {
    return REPEAT.run(send(channel), keys(channel), args(channel, idemKey))
        .map(reply -> RedisScript.flag(reply, 0)
            ? new AppendResult(message(RedisScript.string(reply, 2)), RedisScript.string(reply, 1), true)
            : null);
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
