package io.sobranie.realtime.server;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Protocol over WebSocket, one embedded node")
class WebSocketEmbeddedTest extends ProtocolSuite {
  @Override
  protected ProtocolTransport transport() {
    return ProtocolTransport.WEBSOCKET;
  }

  @Override
  protected ProtocolDeployment deploy(Map<String, String> settings) {
    return ProtocolDeployment.embedded(settings);
  }
}
