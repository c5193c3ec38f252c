package io.sobranie.realtime.common.store;

import io.vertx.core.Future;

/**
 * Channel streams: seq assignment, history and idempotency in one atomic append, so any number of
 * chat instances may serve the same channel.
 */
public interface HistoryStore {
  /** How long an idempotency key is remembered (PROTOCOL.md: 10 minutes). */
  long IDEMPOTENCY_TTL_MS = 10 * 60 * 1000;

  /**
   * Atomically: if {@code idemKey} (nullable) was used on this channel within
   * {@link #IDEMPOTENCY_TTL_MS}, returns the original message as a duplicate; otherwise assigns the
   * next seq (starting a new epoch when the stream had expired or never existed), stores the
   * message, trims to the channel's {@link HistoryLimits} and remembers the key. A stream expires
   * when nothing was appended to it for as long as its history lasts.
   */
  Future<AppendResult> append(String channel, MessageDraft draft, String idemKey);

  /** The stream's latest seq and epoch (seq 0 and a fresh epoch for a stream never written). */
  Future<StreamPosition> position(String channel);

  /** Up to {@code limit} messages with seq &gt; {@code since}, oldest first. */
  Future<HistoryPage> after(String channel, long since, int limit);

  /** The last {@code limit} messages, oldest first. */
  Future<HistoryPage> latest(String channel, int limit);
}
