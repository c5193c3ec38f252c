package io.sobranie.realtime.server;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Protocol over SSE + REST, one embedded node")
class SseEmbeddedTest extends ProtocolSuite {
  @Override
  protected ProtocolTransport transport() {
    return ProtocolTransport.SSE;
  }

  @Override
  protected ProtocolDeployment deploy(Map<String, String> settings) {
    return ProtocolDeployment.embedded(settings);
  }
}
