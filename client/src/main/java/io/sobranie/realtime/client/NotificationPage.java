package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A page of the user's notifications, newest first, with the unread count. */
public record NotificationPage(long unread, List<Notification> notifications) {
  static NotificationPage of(JsonNode body) {
    List<Notification> items = new ArrayList<>();
    body.path("notifications").forEach(n -> items.add(Notification.of(n)));
    return new NotificationPage(Json.number(body, "unread"), List.copyOf(items));
  }
}
