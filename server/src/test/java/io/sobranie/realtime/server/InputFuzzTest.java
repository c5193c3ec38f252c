package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Random frames and REST bodies from a seeded generator, through real sockets: the server never
 * crashes, never answers 500 or a stack trace, always answers well-formed JSON, and the
 * connection stays usable.
 */
class InputFuzzTest extends ServerTestBase {
  private static final long SEED = 4242L;
  private static final Set<String> CODES = Set.of("unauthorized", "bad_request", "unknown_type", "forbidden",
      "not_subscribed", "not_found", "rate_limited", "too_large", "unavailable");
  private static final List<String> TYPES = List.of("subscribe", "unsubscribe", "message", "typing", "presence", "read",
      "signal", "ping", "nonsense", "");
  private static final List<String> FIELDS = List.of("type", "channel", "data", "since", "epoch", "idem", "ref", "active",
      "users", "upTo", "to", "signal", "payload", "userId", "kind", "ids", "reason");

  private static Object randomValue(Random random, int depth) {
    return switch (random.nextInt(depth > 2 ? 6 : 8)) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt(2000) - 1000;
      case 3 -> random.nextDouble() * 1e6;
      case 4 -> List.of("chat:a", "dm:a:b", "post:1", "bad name", "", "notifications", "broadcast", "x".repeat(300), "alice", "offer")
          .get(random.nextInt(10));
      case 5 -> DecoderText.random(random);
      case 6 -> {
        JsonArray array = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(randomValue(random, depth + 1));
        }
        yield array;
      }
      default -> randomObject(random, depth + 1);
    };
  }

  private static JsonObject randomObject(Random random, int depth) {
    JsonObject object = new JsonObject();
    for (int i = random.nextInt(6); i > 0; i--) {
      object.put(FIELDS.get(random.nextInt(FIELDS.size())), randomValue(random, depth));
    }
    return object;
  }

  private static void assertWellFormed(JsonObject frame) {
    assertNotNull(frame.getString("type"), frame::encode);
    if (frame.getString("type").equals("error")) {
      assertTrue(CODES.contains(frame.getString("code")), frame::encode);
      assertNotNull(frame.getString("message"));
      assertTrue(!frame.getString("message").contains("Exception"), frame::encode);
    }
  }

  @Test
  @DisplayName("random WebSocket frames get well-formed answers and the connection stays usable")
  void randomFrames() {
    Random random = new Random(SEED);
    WsClient client = connect(token("fuzzer"));
    for (int i = 0; i < 400; i++) {
      JsonObject frame = randomObject(random, 0);
      if (random.nextInt(3) > 0) {
        frame.put("type", TYPES.get(random.nextInt(TYPES.size())));
      }
      switch (i % 5) {
        case 0 -> client.sendText(DecoderText.random(random));
        case 1 -> client.sendBinary(Buffer.buffer(DecoderText.random(random)));
        default -> client.send(frame.put("ref", "f" + i));
      }
      client.send(frame("ping").put("ref", "sentinel-" + i));
      while (true) {
        JsonObject answer = client.next();
        assertWellFormed(answer);
        if ("pong".equals(answer.getString("type")) && ("sentinel-" + i).equals(answer.getString("ref"))) {
          break;
        }
      }
    }
  }

  @Test
  @DisplayName("random REST bodies never get a 500: only documented statuses with the JSON error shape")
  void randomRestBodies() {
    Random random = new Random(SEED);
    String user = token("fuzzer");
    String service = token("svc", "service");
    List<String> paths = List.of("/realtime/messages", "/realtime/typing", "/realtime/signal", "/realtime/notifications/read",
        "/realtime/send", "/realtime/publish", "/realtime/broadcast", "/realtime/disconnect", "/realtime/ticket");
    Set<Integer> allowed = Set.of(200, 201, 202, 204, 400, 401, 403, 404, 413, 429);
    for (int i = 0; i < 300; i++) {
      String path = paths.get(random.nextInt(paths.size()));
      String body = random.nextInt(4) == 0 ? DecoderText.random(random) : randomObject(random, 0).encode();
      Response response = request(HttpMethod.POST, path, random.nextBoolean() ? user : service, body);
      assertTrue(allowed.contains(response.status()), () -> path + " " + body + " → " + response.status() + " " + response.body());
      if (response.status() >= 400) {
        JsonObject error = response.json().getJsonObject("error");
        assertTrue(CODES.contains(error.getString("code")), response::body);
        assertTrue(!response.body().contains("Exception"), response::body);
      }
    }
    assertEquals(200, request(HttpMethod.GET, "/health", null, null).status());
  }

  /** Random text that is still valid UTF-16 (so valid UTF-8 on the wire). */
  static final class DecoderText {
    static String random(Random random) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(60); i > 0; i--) {
        char c = (char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0xD000));
        text.append(c);
      }
      return text.toString();
    }
  }
}
