package io.sobranie.realtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Binary frames and uploads between two clients of a real node. */
class BinaryTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Every byte value, twice over, so any text re-encoding would show. */
  private static byte[] allBytes() {
    byte[] bytes = new byte[512];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }

  @Test
  @DisplayName("a binary frame round-trips byte for byte, with its header, and the sender gets an ack with the relayed id")
  void binaryRoundTrip() throws Exception {
    String room = "chat:files-" + System.nanoTime();
    Inbox<BinaryMessage> received = new Inbox<>();
    try (RealtimeClient alice = server.client("alice").build(); RealtimeClient bob = server.client("bob").build()) {
      Subscription subscription = bob.subscribe(room, new ChannelListener() {
        @Override
        public void onMessage(Message message) {
        }

        @Override
        public void onBinary(BinaryMessage message) {
          received.add(message);
        }
      });
      alice.connect().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      subscription.ready().get(10, TimeUnit.SECONDS);

      byte[] payload = allBytes();
      Ack ack = alice.sendBinary(room, payload, "application/octet-stream", "bytes.bin").get(10, TimeUnit.SECONDS);
      assertEquals(0, ack.seq(), "binary frames are not stored");
      BinaryMessage message = received.next();
      assertArrayEquals(payload, message.payload());
      assertEquals(room, message.channel());
      assertEquals("alice", message.from());
      assertEquals(ack.id(), message.id());
      assertEquals("application/octet-stream", message.contentType());
      assertEquals("bytes.bin", message.filename());
    }
  }

  @Test
  @DisplayName("a frame over the server's limit is refused by the client (too_large) instead of getting the socket closed")
  void oversizedBinaryFrame() throws Exception {
    try (RealtimeClient alice = server.client("alice").build()) {
      Connected connected = alice.connect().get(10, TimeUnit.SECONDS);
      ExecutionException failure = assertThrows(ExecutionException.class, () -> alice.sendBinary("chat:big",
          new byte[connected.maxFrameBytes()], null, null).get(10, TimeUnit.SECONDS));
      assertEquals(RealtimeException.TOO_LARGE, assertInstanceOf(RealtimeException.class, failure.getCause()).code());
      assertEquals(ConnectionState.CONNECTED, alice.state());
    }
  }

  @Test
  @DisplayName("an uploaded file is shared in a message and downloaded intact by the other client")
  void uploadShareDownload() throws Exception {
    String room = "chat:uploads-" + System.nanoTime();
    Inbox<Message> messages = new Inbox<>();
    try (RealtimeClient alice = server.client("alice").build(); RealtimeClient bob = server.client("bob").build()) {
      Subscription subscription = bob.subscribe(room, messages::add);
      alice.connect().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      subscription.ready().get(10, TimeUnit.SECONDS);

      byte[] content = new byte[200_000]; // larger than a frame: this is what uploads are for
      for (int i = 0; i < content.length; i++) {
        content[i] = (byte) (i * 31);
      }
      FileRef file = alice.upload(content, "image/png", "photo.png").get(10, TimeUnit.SECONDS);
      assertEquals(content.length, file.size());
      alice.publish(room, Map.of("text", "look", "file", file)).get(10, TimeUnit.SECONDS);

      Message message = messages.next();
      String id = message.data().path("file").path("id").asText();
      assertEquals(file.id(), id);
      assertEquals("photo.png", message.data().path("file").path("filename").asText());
      assertArrayEquals(content, bob.download(id).get(10, TimeUnit.SECONDS));
    }
  }
}
