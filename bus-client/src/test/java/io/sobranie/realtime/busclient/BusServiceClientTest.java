package io.sobranie.realtime.busclient;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sobranie.realtime.client.ConnectionState;
import io.sobranie.realtime.client.Message;
import io.sobranie.realtime.client.Notification;
import io.sobranie.realtime.client.RealtimeClient;
import io.sobranie.realtime.client.RealtimeListener;
import io.sobranie.realtime.client.StateChange;
import io.sobranie.realtime.client.Subscription;
import io.sobranie.realtime.common.auth.DevTokens;
import io.sobranie.realtime.common.bus.PresenceRequests;
import io.sobranie.realtime.common.bus.ServiceRequests;
import io.sobranie.realtime.common.config.ConfigLoader;
import io.sobranie.realtime.server.RealtimeNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A service on the node's own Vert.x (a verticle's view of the cluster: same addresses, records and
 * codecs) and a user's client on a real socket, which sees what the service sent.
 */
class BusServiceClientTest {
  private static final String SECRET = "test-secret-0123456789-abcdefghijklmnop";
  private static RealtimeNode node;
  private static BusServiceClient service;

  @BeforeAll
  static void start() throws Exception {
    node = RealtimeNode.start(Vertx.vertx(), ConfigLoader.load(Map.of("JWT_SECRET", SECRET, "HTTP_PORT", "0",
        "HTTP_HOST", "127.0.0.1", "SHUTDOWN_DRAIN_MS", "0"))).await(30, TimeUnit.SECONDS);
    service = new BusServiceClient(node.vertx(), 5000);
  }

  @AfterAll
  static void stop() throws Exception {
    node.shutdown().await(30, TimeUnit.SECONDS);
  }

  private static RealtimeClient client(String user, RealtimeListener listener) {
    return RealtimeClient.builder(URI.create("http://127.0.0.1:" + node.port()))
        .token(DevTokens.mint(SECRET, user, 3600, List.of())).listener(listener).build();
  }

  private static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
    T item = queue.poll(10, TimeUnit.SECONDS);
    if (item == null) {
      throw new AssertionError("nothing arrived within 10 s");
    }
    return item;
  }

  @Test
  @DisplayName("publish, broadcast and a notification over the bus reach the user's client")
  void publishBroadcastNotify() throws Exception {
    String channel = "post:" + System.nanoTime();
    BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    BlockingQueue<Notification> notifications = new LinkedBlockingQueue<>();
    try (RealtimeClient alice = client("alice", new RealtimeListener() {
      @Override
      public void onNotification(Notification notification) {
        notifications.add(notification);
      }
    })) {
      Subscription post = alice.subscribe(channel, messages::add);
      alice.subscribe("broadcast", messages::add);
      alice.connect().get(10, TimeUnit.SECONDS);
      post.ready().get(10, TimeUnit.SECONDS);

      JsonObject published = service.publish(new ServiceRequests.Publish(channel, new JsonObject().put("likes", 1),
          "service:likes", "likes-updated")).await(10, TimeUnit.SECONDS);
      Message message = next(messages);
      assertEquals(published.getString("id"), message.id());
      assertEquals(published.getLong("seq"), message.seq());
      assertEquals("service:likes", message.from());
      assertEquals("likes-updated", message.kind());

      JsonObject everyone = service.broadcast(new ServiceRequests.Broadcast("broadcast", "maintenance",
          new JsonObject().put("at", "02:00"), "service:ops")).await(10, TimeUnit.SECONDS);
      assertEquals(everyone.getString("id"), next(messages).id());

      JsonObject sent = service.sendNotification(new ServiceRequests.Notify("alice", "post_liked",
          new JsonObject().put("by", "bob"))).await(10, TimeUnit.SECONDS);
      Notification notification = next(notifications);
      assertEquals(sent.getString("id"), notification.id());
      assertEquals("bob", notification.data().path("by").asText());
    }
  }

  @Test
  @DisplayName("a notification for a user with no connection is published for push gateways")
  void offlineNotification() throws Exception {
    BlockingQueue<JsonObject> pushed = new LinkedBlockingQueue<>();
    var consumer = service.onOfflineNotification(pushed::add);
    consumer.completion().await(10, TimeUnit.SECONDS);
    try {
      String user = "away-" + System.nanoTime();
      JsonObject sent = service.sendNotification(new ServiceRequests.Notify(user, "new_message",
          new JsonObject().put("text", "hi"))).await(10, TimeUnit.SECONDS);
      JsonObject push = next(pushed);
      assertEquals(user, push.getString("userId"));
      assertEquals(sent.getString("id"), push.getString("id"));
      assertEquals("hi", push.getJsonObject("data").getString("text"));
    } finally {
      consumer.unregister().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a disconnect over the bus counts and ends the user's session (close 4000: CLOSED, no reconnect)")
  void disconnect() throws Exception {
    BlockingQueue<StateChange> states = new LinkedBlockingQueue<>();
    try (RealtimeClient bob = client("bob", new RealtimeListener() {
      @Override
      public void onStateChange(StateChange change) {
        states.add(change);
      }
    })) {
      bob.connect().get(10, TimeUnit.SECONDS);
      assertEquals(ConnectionState.CONNECTING, next(states).state());
      assertEquals(ConnectionState.CONNECTED, next(states).state());
      JsonObject closedCount = service.disconnect(new PresenceRequests.DisconnectUser("bob", "service:moderation", "banned"))
          .await(10, TimeUnit.SECONDS);
      assertEquals(1, closedCount.getInteger("closed"));
      StateChange closed = next(states);
      assertEquals(ConnectionState.CLOSED, closed.state());
      assertEquals("disconnected by the server: banned", closed.reason());
    }
  }
}
