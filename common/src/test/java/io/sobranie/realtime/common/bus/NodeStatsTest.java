package io.sobranie.realtime.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The admin stats snapshot on the bus: read back as written, and anything malformed or oversized refused. */
class NodeStatsTest {
  private static final NodeStats STATS = new NodeStats("node-a", List.of("gateway", "chat"), 1_000, 61_000, false,
      new NodeStats.Loops(2, 0, 12),
      new NodeStats.Traffic(new NodeStats.Connections(3, 1, 2), 4, 7, 120, 480, 1, Map.of("bad_request", 2L, "forbidden", 1L),
          List.of(new NodeStats.ChannelCount("chat:lobby", 3), new NodeStats.ChannelCount("post:1", 1))),
      new NodeStats.Dependencies("redis", true, 2, true, true, 3));

  @Test
  @DisplayName("a snapshot is read back as it was written")
  void roundTrip() {
    assertEquals(STATS, NodeStats.fromJson(new JsonObject(STATS.toJson().encode())));
  }

  private static void refused(String what, Consumer<JsonObject> change) {
    JsonObject json = STATS.toJson();
    change.accept(json);
    RealtimeException e = assertThrows(RealtimeException.class, () -> NodeStats.fromJson(json), what);
    assertEquals(ErrorCode.BAD_REQUEST, e.code(), what);
  }

  @Test
  @DisplayName("a malformed or oversized snapshot is a bad_request: bad node id, unknown role, unknown error code, too many top channels, negative counts")
  void malformed() {
    refused("bad node id", json -> json.put("node", "no spaces allowed"));
    refused("no node", json -> json.remove("node"));
    refused("unknown role", json -> json.put("roles", new JsonArray().add("gateway").add("root")));
    refused("repeated role", json -> json.put("roles", new JsonArray().add("gateway").add("gateway")));
    refused("unknown error code", json -> json.getJsonObject("errors").put("made_up", 1));
    refused("negative count", json -> json.getJsonObject("connections").put("websocket", -1));
    refused("fractional count", json -> json.getJsonObject("messages").put("in", 1.5));
    refused("not a number", json -> json.put("usersOnline", "4"));
    refused("unknown store", json -> json.getJsonObject("store").put("kind", "postgres"));
    refused("bad channel", json -> json.getJsonArray("topChannels").add(new JsonObject().put("channel", "no spaces").put("subscribers", 1)));
    refused("no loops", json -> json.remove("eventLoops"));
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < NodeStats.MAX_TOP_CHANNELS + 1; i++) {
      eleven.add(new JsonObject().put("channel", "chat:c" + i).put("subscribers", 1));
    }
    refused("too many top channels", json -> json.put("topChannels", eleven));
  }
}
