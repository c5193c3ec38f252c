package io.sobranie.realtime.common.store;

/** How much history a channel keeps: the last {@code size} messages, none older than {@code ttlSeconds}. */
public record HistoryLimits(int size, long ttlSeconds) {
}
