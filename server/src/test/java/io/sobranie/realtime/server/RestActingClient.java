package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sobranie.realtime.server.ServerTestBase.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The acting side of the HTTP transports (SSE and long-poll): every action is a REST request to
 * the node the client reads from (PROTOCOL.md section 6), authenticated with the header.
 */
abstract class RestActingClient extends QueuedClient {
  protected final String user;
  protected final String token;
  protected final int port;

  RestActingClient(int port, String user) {
    this.user = user;
    this.token = ServerTestBase.token(user);
    this.port = port;
  }

  @Override
  public String user() {
    return user;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  protected Reply call(HttpMethod method, String uri, String body) {
    Response response = HttpCalls.request(port, method, uri, token, body);
    JsonObject json = response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    return new Reply(json, response.status(), null, response.headers().get("retry-after"));
  }

  @Override
  public Reply publish(String channel, Object data, String idem) {
    JsonObject body = new JsonObject().put("channel", channel).put("data", data);
    if (idem != null) {
      body.put("idem", idem);
    }
    return publishRaw(body);
  }

  @Override
  public Reply publishRaw(JsonObject fields) {
    return call(HttpMethod.POST, "/realtime/messages", fields.encode());
  }

  @Override
  public Reply sendMalformed(String text) {
    return call(HttpMethod.POST, "/realtime/messages", text);
  }

  @Override
  public void typing(String channel, boolean active) {
    Reply reply = typingRefused(channel, active);
    assertEquals(204, reply.status(), reply::toString);
  }

  @Override
  public Reply typingRefused(String channel, boolean active) {
    return call(HttpMethod.POST, "/realtime/typing", new JsonObject().put("channel", channel).put("active", active).encode());
  }

  @Override
  public void signal(String to, String signal, Object payload) {
    Reply reply = signalRefused(to, signal, payload);
    assertEquals(204, reply.status(), reply::toString);
  }

  @Override
  public Reply signalRefused(String to, String signal, Object payload) {
    return call(HttpMethod.POST, "/realtime/signal",
        new JsonObject().put("to", to).put("signal", signal).put("payload", payload).encode());
  }

  @Override
  public Reply presenceOfUsers(List<String> users) {
    return call(HttpMethod.GET, "/realtime/presence?users=" + encode(String.join(",", users)), null);
  }

  @Override
  public Reply presenceOfChannel(String channel) {
    return call(HttpMethod.GET, "/realtime/presence/" + channel, null);
  }

  @Override
  public long read(long upTo) {
    Reply reply = call(HttpMethod.POST, "/realtime/notifications/read", new JsonObject().put("upTo", upTo).encode());
    assertEquals(200, reply.status(), reply::toString);
    return reply.json().getLong("unread");
  }

  @Override
  public void close() {
  }
}
