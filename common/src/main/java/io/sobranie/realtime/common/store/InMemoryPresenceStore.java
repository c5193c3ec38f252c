package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The connection registry in this JVM's memory. */
final class InMemoryPresenceStore implements PresenceStore {
  private record Connection(String nodeId, String transport) {
  }

  /** user → connection id → where it is. Guarded by this. */
  private final Map<String, Map<String, Connection>> byUser = new HashMap<>();

  @Override
  public synchronized Future<Integer> connect(String nodeId, String userId, String connectionId, String transport) {
    Map<String, Connection> connections = byUser.computeIfAbsent(userId, u -> new HashMap<>());
    connections.put(connectionId, new Connection(nodeId, transport));
    return Future.succeededFuture(connections.size());
  }

  @Override
  public synchronized Future<Integer> disconnect(String nodeId, String userId, String connectionId) {
    Map<String, Connection> connections = byUser.get(userId);
    if (connections == null) {
      return Future.succeededFuture(0);
    }
    connections.remove(connectionId);
    if (connections.isEmpty()) {
      byUser.remove(userId);
      return Future.succeededFuture(0);
    }
    return Future.succeededFuture(connections.size());
  }

  @Override
  public synchronized Future<Integer> connectionCount(String userId) {
    Map<String, Connection> connections = byUser.get(userId);
    return Future.succeededFuture(connections == null ? 0 : connections.size());
  }

  @Override
  public synchronized Future<Integer> connectionCount(String userId, Set<String> transports) {
    Map<String, Connection> connections = byUser.get(userId);
    if (connections == null) {
      return Future.succeededFuture(0);
    }
    return Future.succeededFuture((int) connections.values().stream().filter(c -> transports.contains(c.transport())).count());
  }
}
