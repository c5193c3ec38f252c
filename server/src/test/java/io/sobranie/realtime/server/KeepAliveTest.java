package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One keep-alive connection carries request after request, whatever bodies came before. */
class KeepAliveTest extends ServerTestBase {

  @Test
  @DisplayName("a POST whose body the endpoint does not need does not stall the next request on the connection")
  void unneededBodyDoesNotStallTheConnection() throws IOException {
    String body = "{\"ignored\":\"" + "x".repeat(2000) + "\"}";
    try (RawHttp connection = new RawHttp(port())) {
      for (String path : new String[] {"/realtime/ticket", "/realtime/ticket", "/health"}) {
        String method = path.equals("/health") ? "GET" : "POST";
        assertEquals(200, connection.exchange(method, path, token("alice"), body).status(), path);
      }
    }
  }
}
