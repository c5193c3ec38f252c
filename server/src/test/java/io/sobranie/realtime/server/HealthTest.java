package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HealthTest extends ServerTestBase {

  @Test
  @DisplayName("GET /health is 200 UP with a store check and an event-loop check")
  void healthIsUp() {
    Response response = request(HttpMethod.GET, "/health", null, null);
    assertEquals(200, response.status());
    JsonObject body = response.json();
    assertEquals("UP", body.getString("status"));
    assertEquals("store", body.getJsonArray("checks").getJsonObject(0).getString("id"));
    assertEquals("UP", body.getJsonArray("checks").getJsonObject(0).getString("status"));
    assertEquals("event-loops", body.getJsonArray("checks").getJsonObject(1).getString("id"));
    assertEquals("UP", body.getJsonArray("checks").getJsonObject(1).getString("status"));
  }

  @Test
  @DisplayName("a URL whose percent-encoding does not decode is 400, in the path or in the query")
  void malformedPercentEncodingIs400() throws IOException {
    for (String uri : new String[] {"/realtime/history/%E0%A4%A", "/realtime/history/chat:x?since=%G1"}) {
      Response response;
      try (RawHttp connection = new RawHttp(port())) { // HTTP clients refuse to send such a URI
        response = connection.exchange("GET", uri, token("alice"), null);
      }
      assertEquals(400, response.status(), uri + " " + response.body());
      assertEquals("bad_request", response.errorCode());
    }
  }

  @Test
  @DisplayName("an unknown path is 404 in the JSON error shape")
  void unknownPathIs404() {
    Response response = request(HttpMethod.GET, "/realtime/nothing-here", null, null);
    assertEquals(404, response.status());
    assertEquals("not_found", response.errorCode());
  }

  @Test
  @DisplayName("a plain GET on the WebSocket endpoint is 400, not an upgrade")
  void plainGetOnWebSocketEndpoint() {
    Response response = request(HttpMethod.GET, "/realtime/ws", null, null);
    assertEquals(400, response.status());
    assertEquals("bad_request", response.errorCode());
  }
}
