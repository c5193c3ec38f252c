package io.sobranie.realtime.client;

/**
 * A change of {@link ConnectionState}.
 *
 * @param state   the new state
 * @param attempt how many connection attempts failed since the last success (0 once connected)
 * @param delayMs for {@link ConnectionState#RECONNECTING}: the wait before the next attempt; else 0
 * @param reason  why, in words, or null
 * @param error   the failure behind a {@link ConnectionState#CLOSED} or {@link ConnectionState#RECONNECTING}, or null
 */
public record StateChange(ConnectionState state, int attempt, long delayMs, String reason, RealtimeException error) {
}
