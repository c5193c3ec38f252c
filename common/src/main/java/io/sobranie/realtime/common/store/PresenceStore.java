package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is connected where, the state presence is built on. Connections and room memberships
 * are kept per node, so a dead node's can be removed together; a user's announced status
 * ({@code online} / {@code offline}) and {@code lastSeen} are kept per user.
 */
public interface PresenceStore {
  /**
   * Records an open connection and marks the user online.
   *
   * @return the user's connection count after it, and whether the user was already announced online
   */
  Future<Connected> connect(String nodeId, String userId, String connectionId, String transport);

  record Connected(int connections, boolean wasOnline) {
  }

  /**
   * Removes a connection and its room memberships (unknown ones are ignored); when it was the
   * user's last, {@code lastSeen} becomes {@code now}. Answers the user's connection count after it.
   */
  Future<Integer> disconnect(String nodeId, String userId, String connectionId, long now);

  /**
   * After the grace period: if the user still has no connection and is announced online, marks
   * them offline and answers true (the caller announces it); otherwise false. Idempotent.
   */
  Future<Boolean> markOfflineIfGone(String userId);

  /** The user's open connections on every node. */
  Future<Integer> connectionCount(String userId);

  /** The user's open connections on every node using one of {@code transports}. */
  Future<Integer> connectionCount(String userId, Set<String> transports);

  /** Records that a connection follows a room with presence; answers whether it is the user's first in that room. */
  Future<Boolean> join(String nodeId, String channel, String userId, String connectionId);

  /** Undoes {@link #join}; answers whether the user has no connection left in that room. */
  Future<Boolean> leave(String nodeId, String channel, String userId, String connectionId);

  /** The users with at least one connection in the room now. */
  Future<Set<String>> members(String channel);

  /** The rooms the user has at least one connection in now. */
  Future<Set<String>> rooms(String userId);

  /** Each user's status: online (connected anywhere, or still within the grace) and lastSeen (null if never seen). */
  Future<Map<String, UserPresence>> status(Collection<String> userIds);

  record UserPresence(String userId, boolean online, Long lastSeen) {
  }

  /** Refreshes this node's lease (its connections are purged when it lapses). */
  Future<Void> renewLease(String nodeId, long ttlMs, long now);

  /** The nodes with registered connections whose lease lapsed. */
  Future<List<String>> expiredNodes(long now);

  /**
   * Removes every connection and membership of a dead node (idempotent: a second call finds
   * nothing). Answers, per user whose last connection it was, the rooms they were in.
   */
  Future<Map<String, Set<String>>> purgeNode(String nodeId, long now);
}
