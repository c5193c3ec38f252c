package io.sobranie.realtime.common.store;

/**
 * One channel message as stored and delivered.
 *
 * @param seq  position in the channel's stream (1, 2, 3 … within one epoch)
 * @param id   server-assigned unique id
 * @param from the publisher: a user id or {@code service:{sub}}
 * @param kind the service-given kind, or null
 * @param data the message's {@code data} as encoded JSON text, kept raw so it is encoded only once
 * @param ts   when it was accepted, epoch milliseconds
 */
public record StoredMessage(long seq, String id, String from, String kind, String data, long ts) {
}
