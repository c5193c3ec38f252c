package io.sobranie.realtime.client;

/**
 * Events of {@code channel} were missed and cannot be delivered: the server's history no longer
 * reaches back that far, or the channel's stream was reset (a new epoch, e.g. the store was lost).
 * Delivery goes on from the server's current position; reload what the app shows if it matters.
 * {@code channel} is {@code notifications} for the notification stream.
 */
public record NotRecovered(String channel, String reason) {
}
