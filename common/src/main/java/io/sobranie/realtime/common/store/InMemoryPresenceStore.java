package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The presence registry in this JVM's memory; every operation holds this object's lock briefly. */
final class InMemoryPresenceStore implements PresenceStore {
  private record Connection(String nodeId, String userId, String transport, Set<String> rooms) {
  }

  private final Map<String, Connection> connections = new HashMap<>();
  private final Map<String, Set<String>> byUser = new HashMap<>();
  private final Map<String, Set<String>> byNode = new HashMap<>();
  /** channel → user → that user's connection ids in the room. */
  private final Map<String, Map<String, Set<String>>> rooms = new HashMap<>();
  private final Set<String> online = new HashSet<>();
  private final Map<String, Long> lastSeen = new HashMap<>();
  private final Map<String, Long> leases = new HashMap<>();

  @Override
  public synchronized Future<Connected> connect(String nodeId, String userId, String connectionId, String transport) {
    Connection known = connections.get(connectionId);
    if (known != null && !known.userId().equals(userId)) {
      remove(connectionId, known, System.currentTimeMillis()); // ids are unique; a clash replaces the old entry
      known = null;
    }
    if (known == null) {
      connections.put(connectionId, new Connection(nodeId, userId, transport, new HashSet<>()));
      byUser.computeIfAbsent(userId, u -> new HashSet<>()).add(connectionId);
      byNode.computeIfAbsent(nodeId, n -> new HashSet<>()).add(connectionId);
    }
    boolean wasOnline = !online.add(userId);
    return Future.succeededFuture(new Connected(byUser.get(userId).size(), wasOnline));
  }

  @Override
  public synchronized Future<Integer> disconnect(String nodeId, String userId, String connectionId, long now) {
    Connection connection = connections.get(connectionId);
    if (connection != null) {
      remove(connectionId, connection, now);
    }
    return Future.succeededFuture(count(userId));
  }

  /** Removes a connection everywhere; answers whether it was the user's last. */
  private boolean remove(String connectionId, Connection connection, long now) {
    connections.remove(connectionId);
    removeFrom(byNode, connection.nodeId(), connectionId);
    for (String channel : connection.rooms()) {
      Map<String, Set<String>> members = rooms.get(channel);
      if (members != null) {
        removeFrom(members, connection.userId(), connectionId);
        if (members.isEmpty()) {
          rooms.remove(channel);
        }
      }
    }
    removeFrom(byUser, connection.userId(), connectionId);
    if (byUser.containsKey(connection.userId())) {
      return false;
    }
    lastSeen.put(connection.userId(), now);
    return true;
  }

  private static void removeFrom(Map<String, Set<String>> index, String key, String value) {
    Set<String> values = index.get(key);
    if (values != null && values.remove(value) && values.isEmpty()) {
      index.remove(key);
    }
  }

  private int count(String userId) {
    Set<String> ids = byUser.get(userId);
    return ids == null ? 0 : ids.size();
  }

  @Override
  public synchronized Future<Boolean> markOfflineIfGone(String userId) {
    return Future.succeededFuture(count(userId) == 0 && online.remove(userId));
  }

  @Override
  public synchronized Future<Integer> connectionCount(String userId) {
    return Future.succeededFuture(count(userId));
  }

  @Override
  public synchronized Future<Integer> connectionCount(String userId, Set<String> transports) {
    Set<String> ids = byUser.getOrDefault(userId, Set.of());
    return Future.succeededFuture((int) ids.stream().filter(id -> transports.contains(connections.get(id).transport())).count());
  }

  @Override
  public synchronized Future<Boolean> join(String nodeId, String channel, String userId, String connectionId) {
    Connection connection = connections.get(connectionId);
    if (connection == null) {
      // The connection's registration has not arrived (or it closed): record the membership anyway, under its own node.
      connection = new Connection(nodeId, userId, "unknown", new HashSet<>());
      connections.put(connectionId, connection);
      byUser.computeIfAbsent(userId, u -> new HashSet<>()).add(connectionId);
      byNode.computeIfAbsent(nodeId, n -> new HashSet<>()).add(connectionId);
    }
    connection.rooms().add(channel);
    Set<String> ofUser = rooms.computeIfAbsent(channel, c -> new HashMap<>()).computeIfAbsent(userId, u -> new HashSet<>());
    boolean first = ofUser.isEmpty();
    ofUser.add(connectionId);
    return Future.succeededFuture(first);
  }

  @Override
  public synchronized Future<Boolean> leave(String nodeId, String channel, String userId, String connectionId) {
    Connection connection = connections.get(connectionId);
    if (connection != null) {
      connection.rooms().remove(channel);
    }
    Map<String, Set<String>> members = rooms.get(channel);
    if (members == null) {
      return Future.succeededFuture(true);
    }
    removeFrom(members, userId, connectionId);
    if (members.isEmpty()) {
      rooms.remove(channel);
    }
    return Future.succeededFuture(!members.containsKey(userId));
  }

  @Override
  public synchronized Future<Set<String>> members(String channel) {
    return Future.succeededFuture(Set.copyOf(rooms.getOrDefault(channel, Map.of()).keySet()));
  }

  @Override
  public synchronized Future<Set<String>> rooms(String userId) {
    Set<String> result = new HashSet<>();
    for (String id : byUser.getOrDefault(userId, Set.of())) {
      result.addAll(connections.get(id).rooms());
    }
    return Future.succeededFuture(result);
  }

  @Override
  public synchronized Future<Map<String, UserPresence>> status(Collection<String> userIds) {
    Map<String, UserPresence> result = new LinkedHashMap<>();
    for (String userId : userIds) {
      result.put(userId, new UserPresence(userId, online.contains(userId) || count(userId) > 0, lastSeen.get(userId)));
    }
    return Future.succeededFuture(result);
  }

  @Override
  public synchronized Future<Void> renewLease(String nodeId, long ttlMs, long now) {
    leases.put(nodeId, now + ttlMs);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<String>> expiredNodes(long now) {
    List<String> expired = new ArrayList<>();
    for (String nodeId : byNode.keySet()) {
      Long lease = leases.get(nodeId);
      if (lease == null || lease <= now) {
        expired.add(nodeId);
      }
    }
    return Future.succeededFuture(expired);
  }

  @Override
  public synchronized Future<Map<String, Set<String>>> purgeNode(String nodeId, long now) {
    Map<String, Set<String>> rooms = new HashMap<>();
    Map<String, Set<String>> gone = new HashMap<>();
    for (String connectionId : new ArrayList<>(byNode.getOrDefault(nodeId, Set.of()))) {
      Connection connection = connections.get(connectionId);
      rooms.computeIfAbsent(connection.userId(), u -> new HashSet<>()).addAll(connection.rooms());
      if (remove(connectionId, connection, now)) {
        gone.put(connection.userId(), Set.copyOf(rooms.get(connection.userId())));
      }
    }
    leases.remove(nodeId);
    return Future.succeededFuture(gone);
  }
}
