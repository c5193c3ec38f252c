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

  /**
   * How long a stream's state (its epoch and life count) is kept after its data expired. Within
   * it, a stream's next life gets the next epoch; past it, the channel counts as never written.
   */
  long STATE_HORIZON_MS = 30L * 24 * 3600 * 1000;

  /**
   * The stream's latest seq and epoch. A stream never written, or expired, reads as seq 0 in the
   * epoch its next append will create, and the read stores nothing: epochs are
   * {@code GENERATION.LIFE}, the store's generation (lost only with the store's data) and the
   * count of the channel's earlier lives (kept {@link #STATE_HORIZON_MS} after each life).
   */
  Future<StreamPosition> position(String channel);

  /**
   * The original of a message appended with {@code idemKey} within {@link #IDEMPOTENCY_TTL_MS}, as
   * the duplicate result its repeat gets; null when the key is unknown. Stores nothing.
   */
  Future<AppendResult> repeat(String channel, String idemKey);


  /** Up to {@code limit} messages with seq &gt; {@code since}, oldest first. */
  Future<HistoryPage> after(String channel, long since, int limit);

  /** The last {@code limit} messages, oldest first. */
  Future<HistoryPage> latest(String channel, int limit);
}
