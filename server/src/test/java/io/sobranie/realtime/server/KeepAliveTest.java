package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One keep-alive connection carries request after request, whatever bodies came before. */
class KeepAliveTest extends ServerTestBase {

  @Test
  @DisplayName("a POST whose body the endpoint does not need does not stall the next request on the connection")
  void unneededBodyDoesNotStallTheConnection() throws Exception {
    HttpClient single = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    for (String path : new String[] {"/realtime/ticket", "/realtime/ticket", "/health"}) {
      int status = single.request(new RequestOptions().setMethod(path.equals("/health") ? HttpMethod.GET : HttpMethod.POST)
              .setHost("127.0.0.1").setPort(port()).setURI(path).addHeader("Authorization", "Bearer " + token("alice")))
          .compose(request -> request.send(Buffer.buffer("{\"ignored\":\"" + "x".repeat(2000) + "\"}")))
          .compose(response -> response.body().map(b -> response.statusCode()))
          .await(10, TimeUnit.SECONDS);
      assertEquals(200, status, path);
    }
  }
}
