package io.sobranie.realtime.common.store;

import io.vertx.core.Future;

/**
 * Which connections are open where: the registry presence is built on. Connections are kept
 * per node, so a dead node's can be removed together.
 */
public interface PresenceStore {
  /** Records an open connection; answers the user's connection count after it. */
  Future<Integer> connect(String nodeId, String userId, String connectionId, String transport);

  /** Removes a connection (unknown ones are ignored); answers the user's connection count after it. */
  Future<Integer> disconnect(String nodeId, String userId, String connectionId);

  /** The user's open connections on every node. */
  Future<Integer> connectionCount(String userId);

  /** The user's open connections on every node using one of {@code transports}. */
  Future<Integer> connectionCount(String userId, java.util.Set<String> transports);
}
