package io.sobranie.realtime.common.channel;

/**
 * The configuration of one channel namespace.
 *
 * @param subscribe         who may subscribe (and read history and presence)
 * @param publish           who may publish ({@code message}, {@code typing}, binary frames)
 * @param historySize       messages kept per channel
 * @param historyTtlSeconds how long messages are kept
 * @param presence          whether joins and leaves of its channels are tracked for presence
 */
public record NamespaceRules(Rule subscribe, Rule publish, int historySize, long historyTtlSeconds, boolean presence) {
}
