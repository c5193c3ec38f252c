/**
 * Presence: connection registry per node, user online/offline with a grace period, room
 * membership, and the purge of a dead node's connections. Not built yet (issue 3); a node
 * started with {@code ROLES=presence} says so at start-up.
 */
package io.sobranie.realtime.presence;
