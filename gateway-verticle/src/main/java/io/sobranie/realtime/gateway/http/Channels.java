package io.sobranie.realtime.gateway.http;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The Netty channel under a Vert.x HTTP connection, for what Vert.x does not expose (the slow
 * client guard sits in its pipeline). Internal API, pinned by the slow-client tests.
 */
public final class Channels {
  private Channels() {
  }

  public static Channel of(HttpServerRequest request) {
    return of(request.connection());
  }

  public static Channel of(HttpConnection connection) {
    return ((ConnectionBase) connection).channel();
  }
}
