package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code WS_COMPRESSION=true}: permessage-deflate is negotiated on the gateway's own upgrade,
 * compressed client messages are read, and the server's frames (sent uncompressed, which the
 * extension allows) reach a compressing client.
 */
class WebSocketCompressionTest extends ServerTestBase {
  @Override
  protected Map<String, String> settings() {
    return Map.of("WS_COMPRESSION", "true");
  }

  @Test
  @DisplayName("a client that negotiates permessage-deflate sends compressed messages and reads every answer")
  void compressedMessages() throws Exception {
    WebSocketClient client = clientVertx.createWebSocketClient(new WebSocketClientOptions()
        .setTryUsePerMessageCompression(true));
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    ClientWebSocket socket = client.webSocket(); // handlers before the connect (see WsClient)
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
        .setURI("/realtime/ws?token=" + token("alice")).setAllowOriginHeader(false)).await();
    try {
      String extensions = socket.headers().get("sec-websocket-extensions");
      assertNotNull(extensions, "the server accepted an extension");
      assertTrue(extensions.contains("permessage-deflate"), extensions);
      assertEquals("connected", next(frames).getString("type"));

      String text = "compressible ".repeat(500);
      socket.writeTextMessage(new JsonObject().put("type", "subscribe").put("channel", "chat:z").put("ref", "s").encode()).await();
      assertEquals("s", until(frames, "subscribed").getString("ref"));
      socket.writeTextMessage(new JsonObject().put("type", "message").put("channel", "chat:z").put("data", text)
          .put("ref", "m").encode()).await();
      JsonObject ack = null;
      JsonObject message = null;
      while (ack == null || message == null) { // the delivery may come before or after the ack
        JsonObject frame = next(frames);
        assertNull(frame.getString("code"), "an error: " + frame);
        switch (frame.getString("type")) {
          case "ack" -> ack = frame;
          case "message" -> message = frame;
          default -> {
          }
        }
      }
      assertEquals("m", ack.getString("ref"));
      assertEquals(text, message.getString("data"), "the compressed message arrived whole");
    } finally {
      socket.close().await();
      client.close().await();
    }
  }

  private static JsonObject next(BlockingQueue<JsonObject> frames) throws InterruptedException {
    JsonObject frame = frames.poll(10, TimeUnit.SECONDS);
    assertNotNull(frame, "no frame within 10 s");
    return frame;
  }

  private static JsonObject until(BlockingQueue<JsonObject> frames, String type) throws InterruptedException {
    while (true) {
      JsonObject frame = next(frames);
      assertNull(frame.getString("code"), "an error: " + frame);
      if (type.equals(frame.getString("type"))) {
        return frame;
      }
    }
  }
}
