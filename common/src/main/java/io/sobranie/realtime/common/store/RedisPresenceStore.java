package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The presence registry in Redis, with the semantics of {@link InMemoryPresenceStore}. Its
 * operations span several users, nodes and rooms at once (a node's purge touches all of them), so
 * every key lives under the one hash tag {@code {presence}}: in a Redis Cluster presence is a
 * single slot (one shard), chosen for correctness — each operation is one atomic Lua script.
 * Keys, under {@code P{presence}:}:
 * <ul>
 *   <li>{@code conn:CID} hash — {@code node}, {@code user}, {@code transport};
 *       {@code crooms:CID} set — the rooms that connection is in;</li>
 *   <li>{@code user:UID} set and {@code node:NID} set — connection ids; {@code nodes} set — the
 *       nodes that have at least one connection;</li>
 *   <li>{@code room:CH} set — the users in a room; {@code roomconn:UID:CH} set — that user's
 *       connections in it (user ids have no {@code ':'}, so the name is unambiguous);</li>
 *   <li>{@code online} set — users announced online; {@code lastseen} hash — user → ms;
 *       {@code leases} hash — node → lease end (ms, callers' clock).</li>
 * </ul>
 * Nothing here has a Redis expiry: a dead node's entries are removed by {@link #purgeNode}. All
 * presence commands take one lane, so they reach Redis in the order they were sent.
 */
final class RedisPresenceStore implements PresenceStore {
  /** ARGV[1]: the key base {@code P{presence}:}; KEYS[1] is a key under it, for cluster routing. */
  private static final String PRELUDE = """
      local base = ARGV[1]
      local function k(kind, name)
        return base .. kind .. ':' .. name
      end
      local function roomConn(userId, channel)
        return base .. 'roomconn:' .. userId .. ':' .. channel
      end
      -- Records a connection unless already known.
      local function register(nodeId, userId, connectionId, transport)
        if redis.call('EXISTS', k('conn', connectionId)) == 0 then
          redis.call('HSET', k('conn', connectionId), 'node', nodeId, 'user', userId, 'transport', transport)
          redis.call('SADD', k('user', userId), connectionId)
          redis.call('SADD', k('node', nodeId), connectionId)
          redis.call('SADD', base .. 'nodes', nodeId)
        end
      end
      -- Removes a connection everywhere. Answers its user, its rooms, and whether it was the user's last
      -- (then lastSeen becomes now).
      local function remove(connectionId, fallbackNode, now)
        local conn = redis.call('HMGET', k('conn', connectionId), 'node', 'user')
        local nodeId, userId = conn[1] or fallbackNode, conn[2]
        redis.call('DEL', k('conn', connectionId))
        if nodeId then
          redis.call('SREM', k('node', nodeId), connectionId)
          if redis.call('SCARD', k('node', nodeId)) == 0 then
            redis.call('SREM', base .. 'nodes', nodeId)
          end
        end
        local rooms = redis.call('SMEMBERS', k('crooms', connectionId))
        redis.call('DEL', k('crooms', connectionId))
        if not userId then
          return nil, rooms, false
        end
        for _, channel in ipairs(rooms) do
          redis.call('SREM', roomConn(userId, channel), connectionId)
          if redis.call('SCARD', roomConn(userId, channel)) == 0 then
            redis.call('SREM', k('room', channel), userId)
          end
        end
        redis.call('SREM', k('user', userId), connectionId)
        if redis.call('SCARD', k('user', userId)) > 0 then
          return userId, rooms, false
        end
        redis.call('HSET', base .. 'lastseen', userId, now)
        return userId, rooms, true
      end
      """;

  /** ARGV[2] node, [3] user, [4] connection, [5] transport. Answers {count, wasOnline}. */
  private static final RedisScript CONNECT = new RedisScript(PRELUDE + """
      register(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
      local wasOnline = redis.call('SADD', base .. 'online', ARGV[3]) == 0 and 1 or 0
      return {redis.call('SCARD', k('user', ARGV[3])), wasOnline}
      """);

  /** ARGV[2] node, [3] user, [4] connection, [5] now. Answers the user's count after it. */
  private static final RedisScript DISCONNECT = new RedisScript(PRELUDE + """
      if redis.call('EXISTS', k('conn', ARGV[4])) == 1 then
        remove(ARGV[4], ARGV[2], ARGV[5])
      end
      return redis.call('SCARD', k('user', ARGV[3]))
      """);

  /** ARGV[2] user. */
  private static final RedisScript MARK_OFFLINE_IF_GONE = new RedisScript(PRELUDE + """
      if redis.call('SCARD', k('user', ARGV[2])) == 0 and redis.call('SREM', base .. 'online', ARGV[2]) == 1 then
        return 1
      end
      return 0
      """);

  /** ARGV[2] user, [3…] transports. */
  private static final RedisScript COUNT_BY_TRANSPORT = new RedisScript(PRELUDE + """
      local wanted = {}
      for i = 3, #ARGV do
        wanted[ARGV[i]] = true
      end
      local count = 0
      for _, connectionId in ipairs(redis.call('SMEMBERS', k('user', ARGV[2]))) do
        local transport = redis.call('HGET', k('conn', connectionId), 'transport')
        if transport and wanted[transport] then
          count = count + 1
        end
      end
      return count
      """);

  /** ARGV[2] node, [3] channel, [4] user, [5] connection. Answers whether it is the user's first there. */
  private static final RedisScript JOIN = new RedisScript(PRELUDE + """
      register(ARGV[2], ARGV[4], ARGV[5], 'unknown')
      redis.call('SADD', k('crooms', ARGV[5]), ARGV[3])
      local first = redis.call('SCARD', roomConn(ARGV[4], ARGV[3])) == 0 and 1 or 0
      redis.call('SADD', roomConn(ARGV[4], ARGV[3]), ARGV[5])
      redis.call('SADD', k('room', ARGV[3]), ARGV[4])
      return first
      """);

  /** ARGV[2] node, [3] channel, [4] user, [5] connection. Answers whether the user has no connection left there. */
  private static final RedisScript LEAVE = new RedisScript(PRELUDE + """
      if redis.call('EXISTS', k('conn', ARGV[5])) == 1 then
        redis.call('SREM', k('crooms', ARGV[5]), ARGV[3])
      end
      if redis.call('EXISTS', k('room', ARGV[3])) == 0 then
        return 1
      end
      redis.call('SREM', roomConn(ARGV[4], ARGV[3]), ARGV[5])
      if redis.call('SCARD', roomConn(ARGV[4], ARGV[3])) == 0 then
        redis.call('SREM', k('room', ARGV[3]), ARGV[4])
        return 1
      end
      return 0
      """);

  /** ARGV[2] user. Answers the rooms of all their connections. */
  private static final RedisScript ROOMS = new RedisScript(PRELUDE + """
      local seen, rooms = {}, {}
      for _, connectionId in ipairs(redis.call('SMEMBERS', k('user', ARGV[2]))) do
        for _, channel in ipairs(redis.call('SMEMBERS', k('crooms', connectionId))) do
          if not seen[channel] then
            seen[channel] = true
            rooms[#rooms + 1] = channel
          end
        end
      end
      return rooms
      """);

  /** ARGV[2…] users. Answers {online, lastSeen or nil} per user. */
  private static final RedisScript STATUS = new RedisScript(PRELUDE + """
      local reply = {}
      for i = 2, #ARGV do
        local online = redis.call('SISMEMBER', base .. 'online', ARGV[i]) == 1
            or redis.call('SCARD', k('user', ARGV[i])) > 0
        reply[#reply + 1] = online and 1 or 0
        reply[#reply + 1] = redis.call('HGET', base .. 'lastseen', ARGV[i])
      end
      return reply
      """);

  /**
   * ARGV[2] node, [3] lease end, [4] now. Also drops leases that ended over an hour ago: a missing
   * lease and a lapsed one mean the same, so this only keeps the hash from growing with dead node ids.
   */
  private static final RedisScript RENEW_LEASE = new RedisScript(PRELUDE + """
      local stale = tonumber(ARGV[4]) - 3600000
      local leases = redis.call('HGETALL', base .. 'leases')
      for i = 1, #leases, 2 do
        if leases[i] ~= ARGV[2] and tonumber(leases[i + 1]) < stale then
          redis.call('HDEL', base .. 'leases', leases[i])
        end
      end
      redis.call('HSET', base .. 'leases', ARGV[2], ARGV[3])
      return 1
      """);

  /** ARGV[2] now. */
  private static final RedisScript EXPIRED_NODES = new RedisScript(PRELUDE + """
      local now = tonumber(ARGV[2])
      local expired = {}
      for _, nodeId in ipairs(redis.call('SMEMBERS', base .. 'nodes')) do
        local lease = redis.call('HGET', base .. 'leases', nodeId)
        if not lease or tonumber(lease) <= now then
          expired[#expired + 1] = nodeId
        end
      end
      return expired
      """);

  /**
   * ARGV[2] node, [3] now. Answers {user, n, room1 … roomN, …} for each user whose last connection
   * was on the node, with the rooms of all their connections removed here.
   */
  private static final RedisScript PURGE_NODE = new RedisScript(PRELUDE + """
      local roomsOf, gone, order = {}, {}, {}
      for _, connectionId in ipairs(redis.call('SMEMBERS', k('node', ARGV[2]))) do
        local userId, rooms, last = remove(connectionId, ARGV[2], ARGV[3])
        if userId then
          if not roomsOf[userId] then
            roomsOf[userId] = {}
            order[#order + 1] = userId
          end
          for _, channel in ipairs(rooms) do
            roomsOf[userId][channel] = true
          end
          if last then
            gone[userId] = true
          end
        end
      end
      redis.call('DEL', k('node', ARGV[2]))
      redis.call('SREM', base .. 'nodes', ARGV[2])
      redis.call('HDEL', base .. 'leases', ARGV[2])
      local reply = {}
      for _, userId in ipairs(order) do
        if gone[userId] then
          local rooms = {}
          for channel in pairs(roomsOf[userId]) do
            rooms[#rooms + 1] = channel
          end
          reply[#reply + 1] = userId
          reply[#reply + 1] = #rooms
          for _, channel in ipairs(rooms) do
            reply[#reply + 1] = channel
          end
        end
      end
      return reply
      """);

  private final RedisLanes lanes;
  private final String base;
  private final List<String> routing;

  RedisPresenceStore(RedisLanes lanes, String prefix) {
    this.lanes = lanes;
    this.base = prefix + "{presence}:";
    this.routing = List.of(base + "online");
  }

  private Future<Response> run(RedisScript script, Object... args) {
    List<String> argv = new ArrayList<>(1 + args.length);
    argv.add(base);
    for (Object arg : args) {
      argv.add(String.valueOf(arg));
    }
    return script.run(request -> lanes.send(base, request), routing, argv);
  }

  @Override
  public Future<Connected> connect(String nodeId, String userId, String connectionId, String transport) {
    return run(CONNECT, nodeId, userId, connectionId, transport)
        .map(reply -> new Connected((int) RedisScript.number(reply, 0), RedisScript.flag(reply, 1)));
  }

  @Override
  public Future<Integer> disconnect(String nodeId, String userId, String connectionId, long now) {
    return run(DISCONNECT, nodeId, userId, connectionId, now).map(Response::toInteger);
  }

  @Override
  public Future<Boolean> markOfflineIfGone(String userId) {
    return run(MARK_OFFLINE_IF_GONE, userId).map(reply -> reply.toLong() != 0);
  }

  @Override
  public Future<Integer> connectionCount(String userId) {
    return lanes.send(base, Request.cmd(Command.SCARD).arg(base + "user:" + userId)).map(Response::toInteger);
  }

  @Override
  public Future<Integer> connectionCount(String userId, Set<String> transports) {
    List<Object> args = new ArrayList<>();
    args.add(userId);
    args.addAll(transports);
    return run(COUNT_BY_TRANSPORT, args.toArray()).map(Response::toInteger);
  }

  @Override
  public Future<Boolean> join(String nodeId, String channel, String userId, String connectionId) {
    return run(JOIN, nodeId, channel, userId, connectionId).map(reply -> reply.toLong() != 0);
  }

  @Override
  public Future<Boolean> leave(String nodeId, String channel, String userId, String connectionId) {
    return run(LEAVE, nodeId, channel, userId, connectionId).map(reply -> reply.toLong() != 0);
  }

  @Override
  public Future<Set<String>> members(String channel) {
    return lanes.send(base, Request.cmd(Command.SMEMBERS).arg(base + "room:" + channel)).map(RedisPresenceStore::strings);
  }

  @Override
  public Future<Set<String>> rooms(String userId) {
    return run(ROOMS, userId).map(RedisPresenceStore::strings);
  }

  @Override
  public Future<Map<String, UserPresence>> status(Collection<String> userIds) {
    List<String> users = List.copyOf(new java.util.LinkedHashSet<>(userIds));
    if (users.isEmpty()) {
      return Future.succeededFuture(new LinkedHashMap<>());
    }
    return run(STATUS, users.toArray()).map(reply -> {
      Map<String, UserPresence> result = new LinkedHashMap<>();
      for (int i = 0; i < users.size(); i++) {
        String lastSeen = RedisScript.string(reply, 2 * i + 1);
        result.put(users.get(i), new UserPresence(users.get(i), RedisScript.flag(reply, 2 * i),
            lastSeen == null ? null : Long.valueOf(lastSeen)));
      }
      return result;
    });
  }

  @Override
  public Future<Void> renewLease(String nodeId, long ttlMs, long now) {
    return run(RENEW_LEASE, nodeId, now + ttlMs, now).mapEmpty();
  }

  @Override
  public Future<List<String>> expiredNodes(long now) {
    return run(EXPIRED_NODES, now).map(reply -> List.copyOf(strings(reply)));
  }

  @Override
  public Future<Map<String, Set<String>>> purgeNode(String nodeId, long now) {
    return run(PURGE_NODE, nodeId, now).map(reply -> {
      Map<String, Set<String>> gone = new HashMap<>();
      int i = 0;
      while (i < reply.size()) {
        String userId = RedisScript.string(reply, i);
        int count = (int) RedisScript.number(reply, i + 1);
        Set<String> rooms = new HashSet<>();
        for (int j = 0; j < count; j++) {
          rooms.add(RedisScript.string(reply, i + 2 + j));
        }
        gone.put(userId, Set.copyOf(rooms));
        i += 2 + count;
      }
      return gone;
    });
  }

  private static Set<String> strings(Response reply) {
    Set<String> result = new HashSet<>();
    if (reply != null) {
      for (Response element : reply) {
        result.add(element.toString());
      }
    }
    return result;
  }
}
