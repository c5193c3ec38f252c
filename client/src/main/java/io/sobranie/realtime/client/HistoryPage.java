package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A page of a channel's history, oldest first; {@code seq} and {@code epoch} are the channel's now. */
public record HistoryPage(String channel, long seq, String epoch, List<Message> messages) {
  static HistoryPage of(JsonNode body) {
    String channel = Json.text(body, "channel");
    List<Message> messages = new ArrayList<>();
    body.path("messages").forEach(m -> messages.add(Message.of(m)));
    return new HistoryPage(channel, Json.number(body, "seq"), Json.text(body, "epoch"), List.copyOf(messages));
  }
}
