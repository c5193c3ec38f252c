package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The REST service client's publish and broadcast, seen by a user's client (send and disconnect: see the other tests). */
class ServiceClientTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("a service publishes on a channel and broadcasts to everyone; the user's client gets both with their kind")
  void publishAndBroadcast() throws Exception {
    String channel = "post:" + System.nanoTime();
    Inbox<Message> onChannel = new Inbox<>();
    Inbox<Message> toEveryone = new Inbox<>();
    ServiceClient service = server.service();
    try (RealtimeClient client = server.client("alice").build()) {
      Subscription post = client.subscribe(channel, onChannel::add);
      client.subscribe("broadcast", toEveryone::add);
      client.connect().get(10, TimeUnit.SECONDS);
      post.ready().get(10, TimeUnit.SECONDS);

      Published published = service.publish(channel, Map.of("likes", 3), "likes-updated").get(10, TimeUnit.SECONDS);
      Message message = onChannel.next();
      assertEquals(new Published(channel, message.seq(), message.id()), published);
      assertEquals("service:platform", message.from());
      assertEquals("likes-updated", message.kind());

      Published everyone = service.broadcast(null, "maintenance", Map.of("at", "02:00")).get(10, TimeUnit.SECONDS);
      Message broadcast = toEveryone.next();
      assertEquals("broadcast", everyone.channel());
      assertEquals(everyone.id(), broadcast.id());
      assertEquals("maintenance", broadcast.kind());

      Published onPost = service.broadcast(channel, "pinned", Map.of()).get(10, TimeUnit.SECONDS);
      assertEquals(onPost.id(), onChannel.next().id());
    }
  }
}
