package io.sobranie.realtime.common.store;

/**
 * The outcome of an append.
 *
 * @param duplicate true when the idempotency key was already used: {@code message} is then the original
 */
public record AppendResult(StoredMessage message, String epoch, boolean duplicate) {
}
