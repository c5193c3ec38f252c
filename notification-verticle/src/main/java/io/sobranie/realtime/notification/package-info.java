/**
 * Notifications: per-user streams, unread counts, offline queue and replay. Not built yet
 * (issue 4); a node started with {@code ROLES=notification} says so at start-up.
 */
package io.sobranie.realtime.notification;
