package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Notifications sent by a service (REST service client) to a user's client: live, queued, counted, read. */
class NotificationsTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Notifications and unread counts as the app saw them, in one ordered list. */
  private static final class Bell implements RealtimeListener {
    final Inbox<Object> events = new Inbox<>();

    @Override
    public void onNotification(Notification notification) {
      events.add(notification);
    }

    @Override
    public void onUnreadCount(long count) {
      events.add(count);
    }
  }

  private static long seq(Object event) {
    return ((Notification) event).seq();
  }

  @Test
  @DisplayName("live and offline notifications arrive once each, in order, with exact unread counts; read marks lower them")
  void notificationsAndUnreadCounts() throws Exception {
    String user = "reader-" + System.nanoTime();
    ServiceClient service = server.service();
    Bell bell = new Bell();
    try (RealtimeClient client = server.client(user).listener(bell).build()) {
      client.connect().get(10, TimeUnit.SECONDS);
      assertEquals(0L, bell.events.next(), "unread_count comes right after connecting");

      NotificationRef first = service.sendNotification(user, "post_liked", Map.of("by", "bob")).get(10, TimeUnit.SECONDS);
      Notification live = (Notification) bell.events.next();
      assertEquals(first.id(), live.id());
      assertEquals(1, live.seq());
      assertEquals("post_liked", live.kind());
      assertEquals("bob", live.data().path("by").asText());
      assertEquals(1L, bell.events.next());

      client.disconnect();
      server.awaitConnections(user, 0); // so the next two wait in the offline queue (not written to the closing socket)
      service.sendNotification(user, "comment_added", Map.of("n", 2)).get(10, TimeUnit.SECONDS);
      service.sendNotification(user, "comment_added", Map.of("n", 3)).get(10, TimeUnit.SECONDS);
      client.connect().get(10, TimeUnit.SECONDS);
      assertEquals(3L, bell.events.next(), "the count covers what came while offline");
      assertEquals(List.of(2L, 3L), bell.events.next(2).stream().map(NotificationsTest::seq).toList());

      service.sendNotification(user, "sentinel", Map.of()).get(10, TimeUnit.SECONDS);
      assertEquals(4L, seq(bell.events.next()), "nothing was delivered twice before the sentinel");
      assertEquals(4L, bell.events.next());

      client.markRead(3).get(10, TimeUnit.SECONDS);
      assertEquals(1L, bell.events.next());
      NotificationPage page = client.notifications(null, 10).get(10, TimeUnit.SECONDS);
      assertEquals(1, page.unread());
      assertEquals(List.of(4L, 3L, 2L, 1L), page.notifications().stream().map(Notification::seq).toList());
      assertTrue(page.notifications().get(1).read() && !page.notifications().get(0).read());
    }
  }
}
