package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The presence registry in Redis, with the semantics of {@link InMemoryPresenceStore}, laid out so
 * that every script and command touches one hash slot (a Redis Cluster spreads users and rooms over
 * its shards). Keys, under the prefix {@code P}:
 * <ul>
 *   <li>per user, tag {@code {u:ID}} (the user's notifications share it):
 *       {@code P{u:ID}:p:conns} hash connection → node, {@code :p:transports} hash connection →
 *       transport, {@code :p:joins} set of {@code "CHANNEL CONNECTION"}, {@code :p:status} hash
 *       {@code online} (announced online: 1/0) and {@code lastSeen} (ms);</li>
 *   <li>per room, tag {@code {ch:NAME}} (the channel's history shares it): {@code P{ch:NAME}:p:users}
 *       set of the users in the room, {@code P{ch:NAME}:p:conns:ID} set of that user's connections in it;</li>
 *   <li>the node registry, tag {@code {presence}}: {@code P{presence}:node:NODE} set of
 *       {@code "USER CONNECTION"} on that node, {@code P{presence}:nodes} set of the nodes with at
 *       least one, {@code P{presence}:leases} hash node → lease end (ms, callers' clock). Connects and
 *       disconnects each write one member here; everything else about users and rooms is spread.</li>
 * </ul>
 * User ids and channel names contain no space (both are validated where they enter), so the
 * {@code "A B"} members split at their first space.
 *
 * <p>Which guarantees hold: every answer about a user (connection count, whether already online,
 * whether the last connection went, lastSeen, the offline decision) comes from one script on that
 * user's slot, so it is atomic as before. Whether a join is the user's first in a room and a leave
 * their last comes from one script on the room's slot. An operation spanning slots (connect:
 * registry then user; join: user, room, registry; disconnect and purge: user, rooms, user, registry)
 * is a sequence of such atomic steps, ordered so that the indexes used for clean-up are never
 * missing an entry: a connection is in its node's set before the user's record (so a dead node's
 * purge finds it), and stays in the user's {@code joins} until its room entries are gone (so a
 * failed disconnect or purge, repeated, still finds the rooms). Between the steps another node may
 * see a connection in one place and not yet in the other. Operations about one user from this
 * store run one after another ({@link KeyedSequence}), so a join followed at once by a leave ends
 * with the user out of the room. Nothing here has a Redis expiry: a dead node's entries are removed
 * by {@link #purgeNode}, one user at a time.
 */
final class RedisPresenceStore implements PresenceStore {
  /** KEYS: nodes, the node's set. ARGV: node, "USER CONNECTION". */
  private static final RedisScript REGISTER = new RedisScript("""
      redis.call('SADD', KEYS[2], ARGV[2])
      redis.call('SADD', KEYS[1], ARGV[1])
      return 1
      """);

  /** KEYS: nodes, the node's set. ARGV: node, "USER CONNECTION"…; the node leaves {@code nodes} with its last one. */
  private static final RedisScript UNREGISTER = new RedisScript("""
      for i = 2, #ARGV do
        redis.call('SREM', KEYS[2], ARGV[i])
      end
      if redis.call('SCARD', KEYS[2]) == 0 then
        redis.call('SREM', KEYS[1], ARGV[1])
      end
      return 1
      """);

  /** KEYS: conns, transports, status. ARGV: node, connection, transport. Answers {count, wasOnline}. */
  private static final RedisScript CONNECT = new RedisScript("""
      if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[1]) == 1 then
        redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
      end
      local wasOnline = redis.call('HGET', KEYS[3], 'online') == '1' and 1 or 0
      redis.call('HSET', KEYS[3], 'online', 1)
      return {redis.call('HLEN', KEYS[1]), wasOnline}
      """);

  /**
   * KEYS: conns, transports, joins, status. ARGV: now, connection…. Removes the connections and
   * their joins; lastSeen becomes now when that left the user none. Answers {count after, last (1
   * when this removal left none), {removed "CHANNEL CONNECTION"…}, {connection, node, …}}.
   */
  private static final RedisScript REMOVE = new RedisScript("""
      local wanted, nodes, removed = {}, {}, 0
      for i = 2, #ARGV do
        local connection = ARGV[i]
        wanted[connection] = true
        local node = redis.call('HGET', KEYS[1], connection)
        if node then
          redis.call('HDEL', KEYS[1], connection)
          redis.call('HDEL', KEYS[2], connection)
          nodes[#nodes + 1] = connection
          nodes[#nodes + 1] = node
          removed = removed + 1
        end
      end
      local joins = {}
      for _, entry in ipairs(redis.call('SMEMBERS', KEYS[3])) do
        if wanted[string.sub(entry, string.find(entry, ' ', 1, true) + 1)] then
          redis.call('SREM', KEYS[3], entry)
          joins[#joins + 1] = entry
        end
      end
      local count = redis.call('HLEN', KEYS[1])
      local last = 0
      if removed > 0 and count == 0 then
        redis.call('HSET', KEYS[4], 'lastSeen', ARGV[1])
        last = 1
      end
      return {count, last, joins, nodes}
      """);

  /** KEYS: conns, status. Answers 1 when it marked the user offline. */
  private static final RedisScript MARK_OFFLINE_IF_GONE = new RedisScript("""
      if redis.call('HLEN', KEYS[1]) == 0 and redis.call('HGET', KEYS[2], 'online') == '1' then
        redis.call('HSET', KEYS[2], 'online', 0)
        return 1
      end
      return 0
      """);

  /** KEYS: conns, status. Answers {online, lastSeen or nil}. */
  private static final RedisScript STATUS = new RedisScript("""
      local status = redis.call('HMGET', KEYS[2], 'online', 'lastSeen')
      local online = (status[1] == '1' or redis.call('HLEN', KEYS[1]) > 0) and 1 or 0
      return {online, status[2]}
      """);

  /**
   * KEYS: conns, transports, joins. ARGV: node, connection, channel. Records the join, and the
   * connection when its connect has not arrived (under its own node). Answers 1 when it recorded the connection.
   */
  private static final RedisScript USER_JOIN = new RedisScript("""
      local registered = redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[1])
      if registered == 1 then
        redis.call('HSET', KEYS[2], ARGV[2], 'unknown')
      end
      redis.call('SADD', KEYS[3], ARGV[3] .. ' ' .. ARGV[2])
      return registered
      """);

  /** KEYS: the room's users, the user's connections in it. ARGV: user, connection. Answers whether it is the user's first there. */
  private static final RedisScript ROOM_JOIN = new RedisScript("""
      local first = redis.call('SCARD', KEYS[2]) == 0 and 1 or 0
      redis.call('SADD', KEYS[2], ARGV[2])
      redis.call('SADD', KEYS[1], ARGV[1])
      return first
      """);

  /** KEYS: the room's users, the user's connections in it. ARGV: user, connection. Answers whether the user has none left there. */
  private static final RedisScript ROOM_LEAVE = new RedisScript("""
      redis.call('SREM', KEYS[2], ARGV[2])
      if redis.call('SCARD', KEYS[2]) == 0 then
        redis.call('SREM', KEYS[1], ARGV[1])
        return 1
      end
      return 0
      """);

  /**
   * KEYS: leases. ARGV: node, lease end, now. Also drops leases that ended over an hour ago: a
   * missing lease and a lapsed one mean the same, so this only keeps the hash from growing with dead node ids.
   */
  private static final RedisScript RENEW_LEASE = new RedisScript("""
      local stale = tonumber(ARGV[3]) - 3600000
      local leases = redis.call('HGETALL', KEYS[1])
      for i = 1, #leases, 2 do
        if leases[i] ~= ARGV[1] and tonumber(leases[i + 1]) < stale then
          redis.call('HDEL', KEYS[1], leases[i])
        end
      end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      return 1
      """);

  /** KEYS: nodes, leases. ARGV: now. */
  private static final RedisScript EXPIRED_NODES = new RedisScript("""
      local now = tonumber(ARGV[1])
      local expired = {}
      for _, nodeId in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        local lease = redis.call('HGET', KEYS[2], nodeId)
        if not lease or tonumber(lease) <= now then
          expired[#expired + 1] = nodeId
        end
      end
      return expired
      """);

  /**
   * KEYS: nodes, the node's set, leases. ARGV: node. Forgets the node once its set is empty; a node
   * that registered a connection meanwhile (it was not dead after all) keeps its entry and lease.
   */
  private static final RedisScript FORGET_NODE = new RedisScript("""
      if redis.call('SCARD', KEYS[2]) > 0 then
        return 0
      end
      redis.call('SREM', KEYS[1], ARGV[1])
      redis.call('HDEL', KEYS[3], ARGV[1])
      return 1
      """);

  /** Users purged at once when a node is reaped: bounds the commands in flight on the lanes. */
  private static final int PURGE_PARALLELISM = 32;

  private final RedisLanes lanes;
  private final String prefix;
  private final String registry;
  private final KeyedSequence byUser = new KeyedSequence();

  RedisPresenceStore(RedisLanes lanes, String prefix) {
    this.lanes = lanes;
    this.prefix = prefix;
    this.registry = prefix + "{presence}:";
  }

  // ---------------------------------------------------------------- keys and sending

  private String user(String userId) {
    return prefix + "{u:" + userId + "}:p:";
  }

  private String room(String channel) {
    return prefix + "{ch:" + channel + "}:p:";
  }

  private List<String> registryKeys(String nodeId) {
    return List.of(registry + "nodes", registry + "node:" + nodeId);
  }

  private List<String> roomKeys(String channel, String userId) {
    return List.of(room(channel) + "users", room(channel) + "conns:" + userId);
  }

  /** Runs a script on the lane of {@code routing} (the key base of the slot it touches). */
  private Future<Response> run(RedisScript script, String routing, List<String> keys, Object... args) {
    List<String> argv = new ArrayList<>(args.length);
    for (Object arg : args) {
      argv.add(String.valueOf(arg));
    }
    return script.run(request -> lanes.send(routing, request), keys, argv);
  }

  private Future<Response> send(String routing, Request request) {
    return lanes.send(routing, request);
  }

  /**
   * Runs {@code operation} after this store's earlier operations about {@code userId}; refuses a
   * user id or channel name with a space (they are validated before they reach the store).
   */
  private <T> Future<T> ofUser(String userId, String channel, Supplier<Future<T>> operation) {
    if (userId.indexOf(' ') >= 0 || (channel != null && channel.indexOf(' ') >= 0)) {
      return Future.failedFuture(new IllegalArgumentException("user ids and channel names have no space: '" + userId
          + "', '" + channel + "'"));
    }
    return byUser.run(userId, operation);
  }

  private <T> Future<T> ofUser(String userId, Supplier<Future<T>> operation) {
    return ofUser(userId, null, operation);
  }

  // ---------------------------------------------------------------- connections

  @Override
  public Future<Connected> connect(String nodeId, String userId, String connectionId, String transport) {
    String u = user(userId);
    return ofUser(userId, () -> run(REGISTER, registry, registryKeys(nodeId), nodeId, userId + " " + connectionId)
        .compose(registered -> run(CONNECT, u, List.of(u + "conns", u + "transports", u + "status"),
            nodeId, connectionId, transport))
        .map(reply -> new Connected((int) RedisScript.number(reply, 0), RedisScript.flag(reply, 1))));
  }

  @Override
  public Future<Integer> disconnect(String nodeId, String userId, String connectionId, long now) {
    return ofUser(userId, () -> remove(userId, List.of(connectionId), nodeId, now)).map(Removed::count);
  }

  /** What {@link #remove} did: the user's connections after it, whether it removed their last, and the rooms those connections were in. */
  private record Removed(int count, boolean last, Set<String> rooms) {
  }

  /**
   * Removes connections of one user everywhere, in the order that keeps the clean-up indexes
   * complete: their room entries (as the user's {@code joins} lists them), then the user's record
   * (which answers the count, and the joins recorded meanwhile, whose room entries go next), then
   * the node registry ({@code fallbackNode}'s set and the one the record named). Repeating it after
   * a failure finishes the job.
   */
  private Future<Removed> remove(String userId, List<String> connectionIds, String fallbackNode, long now) {
    String u = user(userId);
    Set<String> connections = Set.copyOf(connectionIds);
    return send(u, Request.cmd(Command.SMEMBERS).arg(u + "joins"))
        .compose(joins -> {
          Set<String> listed = new HashSet<>();
          for (Response join : joins) {
            if (connections.contains(second(join.toString()))) {
              listed.add(join.toString());
            }
          }
          return leaveRooms(userId, listed).compose(left -> {
            List<Object> args = new ArrayList<>(1 + connectionIds.size());
            args.add(now);
            args.addAll(connectionIds);
            return run(REMOVE, u, List.of(u + "conns", u + "transports", u + "joins", u + "status"), args.toArray());
          }).compose(reply -> {
            Set<String> joined = new HashSet<>(listed);
            Set<String> late = new HashSet<>();
            for (Response join : reply.get(2)) {
              if (joined.add(join.toString())) {
                late.add(join.toString());
              }
            }
            // Each connection leaves the node its record named and the caller's node (a purged node's set must empty).
            Map<String, Set<String>> byNode = new LinkedHashMap<>();
            connections.forEach(c -> byNode.computeIfAbsent(fallbackNode, n -> new LinkedHashSet<>()).add(userId + " " + c));
            Response nodes = reply.get(3);
            for (int i = 0; i + 1 < nodes.size(); i += 2) {
              byNode.computeIfAbsent(nodes.get(i + 1).toString(), n -> new LinkedHashSet<>()).add(userId + " " + nodes.get(i));
            }
            Set<String> rooms = new HashSet<>();
            joined.forEach(join -> rooms.add(first(join)));
            Removed removed = new Removed((int) RedisScript.number(reply, 0), RedisScript.flag(reply, 1), rooms);
            return leaveRooms(userId, late).compose(v -> unregister(byNode)).map(removed);
          });
        });
  }

  /** Removes the room entries of {@code joins} ("CHANNEL CONNECTION"), each one script on the room's slot. */
  private Future<Void> leaveRooms(String userId, Collection<String> joins) {
    List<Future<Response>> leaving = new ArrayList<>();
    for (String join : joins) {
      String channel = first(join);
      leaving.add(run(ROOM_LEAVE, room(channel), roomKeys(channel, userId), userId, second(join)));
    }
    return Future.all(leaving).mapEmpty();
  }

  private Future<Void> unregister(Map<String, Set<String>> membersByNode) {
    List<Future<Response>> unregistering = new ArrayList<>();
    membersByNode.forEach((nodeId, members) -> {
      List<Object> args = new ArrayList<>(1 + members.size());
      args.add(nodeId);
      args.addAll(members);
      unregistering.add(run(UNREGISTER, registry, registryKeys(nodeId), args.toArray()));
    });
    return Future.all(unregistering).mapEmpty();
  }

  @Override
  public Future<Boolean> markOfflineIfGone(String userId) {
    String u = user(userId);
    return ofUser(userId, () -> run(MARK_OFFLINE_IF_GONE, u, List.of(u + "conns", u + "status"))
        .map(reply -> reply.toLong() != 0));
  }

  @Override
  public Future<Integer> connectionCount(String userId) {
    String u = user(userId);
    return ofUser(userId, () -> send(u, Request.cmd(Command.HLEN).arg(u + "conns")).map(Response::toInteger));
  }

  @Override
  public Future<Integer> connectionCount(String userId, Set<String> transports) {
    String u = user(userId);
    return ofUser(userId, () -> send(u, Request.cmd(Command.HVALS).arg(u + "transports")).map(values -> {
      int count = 0;
      for (Response transport : values) {
        if (transports.contains(transport.toString())) {
          count++;
        }
      }
      return count;
    }));
  }

  // ---------------------------------------------------------------- rooms

  @Override
  public Future<Boolean> join(String nodeId, String channel, String userId, String connectionId) {
    String u = user(userId);
    return ofUser(userId, channel, () -> run(USER_JOIN, u, List.of(u + "conns", u + "transports", u + "joins"),
        nodeId, connectionId, channel)
        .compose(registered -> run(ROOM_JOIN, room(channel), roomKeys(channel, userId), userId, connectionId)
            .compose(first -> (registered.toLong() == 1
                ? run(REGISTER, registry, registryKeys(nodeId), nodeId, userId + " " + connectionId)
                : Future.succeededFuture()).map(first.toLong() == 1))));
  }

  @Override
  public Future<Boolean> leave(String nodeId, String channel, String userId, String connectionId) {
    String u = user(userId);
    return ofUser(userId, channel, () -> run(ROOM_LEAVE, room(channel), roomKeys(channel, userId), userId, connectionId)
        .compose(last -> send(u, Request.cmd(Command.SREM).arg(u + "joins").arg(channel + " " + connectionId))
            .map(last.toLong() == 1)));
  }

  @Override
  public Future<Set<String>> members(String channel) {
    return send(room(channel), Request.cmd(Command.SMEMBERS).arg(room(channel) + "users")).map(RedisPresenceStore::strings);
  }

  @Override
  public Future<Set<String>> rooms(String userId) {
    String u = user(userId);
    return ofUser(userId, () -> send(u, Request.cmd(Command.SMEMBERS).arg(u + "joins")).map(joins -> {
      Set<String> rooms = new HashSet<>();
      for (Response join : joins) {
        rooms.add(first(join.toString()));
      }
      return rooms;
    }));
  }

  @Override
  public Future<Map<String, UserPresence>> status(Collection<String> userIds) {
    List<String> users = List.copyOf(new LinkedHashSet<>(userIds));
    List<Future<UserPresence>> each = new ArrayList<>(users.size());
    for (String userId : users) {
      String u = user(userId);
      each.add(ofUser(userId, () -> run(STATUS, u, List.of(u + "conns", u + "status")).map(reply -> {
        String lastSeen = RedisScript.string(reply, 1);
        return new UserPresence(userId, RedisScript.flag(reply, 0), lastSeen == null ? null : Long.valueOf(lastSeen));
      })));
    }
    return Future.all(each).map(all -> {
      Map<String, UserPresence> result = new LinkedHashMap<>();
      each.forEach(presence -> result.put(presence.result().userId(), presence.result()));
      return result;
    });
  }

  // ---------------------------------------------------------------- nodes

  @Override
  public Future<Void> renewLease(String nodeId, long ttlMs, long now) {
    return run(RENEW_LEASE, registry, List.of(registry + "leases"), nodeId, now + ttlMs, now).mapEmpty();
  }

  @Override
  public Future<List<String>> expiredNodes(long now) {
    return run(EXPIRED_NODES, registry, List.of(registry + "nodes", registry + "leases"), now)
        .map(reply -> List.copyOf(strings(reply)));
  }

  /**
   * One script per user (their connections on the node, on their slot), at most
   * {@value #PURGE_PARALLELISM} users at a time, then the node is forgotten if nothing registered
   * on it meanwhile. A purge that failed part-way leaves the unfinished users in the node's set, so
   * the next reaper run finishes them.
   */
  @Override
  public Future<Map<String, Set<String>>> purgeNode(String nodeId, long now) {
    List<String> keys = registryKeys(nodeId);
    return send(registry, Request.cmd(Command.SMEMBERS).arg(keys.get(1))).compose(members -> {
      Map<String, List<String>> connectionsByUser = new LinkedHashMap<>();
      for (Response member : members) {
        connectionsByUser.computeIfAbsent(first(member.toString()), u -> new ArrayList<>()).add(second(member.toString()));
      }
      Map<String, Set<String>> gone = new ConcurrentHashMap<>();
      return eachLimited(List.copyOf(connectionsByUser.entrySet()), PURGE_PARALLELISM,
          entry -> ofUser(entry.getKey(), () -> remove(entry.getKey(), entry.getValue(), nodeId, now))
              .onSuccess(removed -> {
                if (removed.last()) {
                  gone.put(entry.getKey(), Set.copyOf(removed.rooms()));
                }
              }))
          .compose(v -> run(FORGET_NODE, registry, List.of(keys.get(0), keys.get(1), registry + "leases"), nodeId))
          .map(forgotten -> Map.copyOf(gone));
    });
  }

  /** Runs {@code action} on every item, at most {@code parallel} at once; fails, after all ran, with the first failure. */
  private static <T> Future<Void> eachLimited(List<T> items, int parallel, Function<T, Future<?>> action) {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < Math.min(parallel, items.size()); i++) {
      workers.add(work(items, next, failure, action));
    }
    return Future.all(workers).compose(v -> failure.get() == null
        ? Future.succeededFuture()
        : Future.failedFuture(failure.get()));
  }

  private static <T> Future<Void> work(List<T> items, AtomicInteger next, AtomicReference<Throwable> failure,
                                       Function<T, Future<?>> action) {
    int index = next.getAndIncrement();
    if (index >= items.size()) {
      return Future.succeededFuture();
    }
    return action.apply(items.get(index)).transform(done -> {
      if (done.failed()) {
        failure.compareAndSet(null, done.cause());
      }
      return work(items, next, failure, action);
    });
  }

  // ---------------------------------------------------------------- "A B" members

  private static String first(String pair) {
    return pair.substring(0, pair.indexOf(' '));
  }

  private static String second(String pair) {
    return pair.substring(pair.indexOf(' ') + 1);
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
