package io.sobranie.realtime.server;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Protocol over SSE + REST, two clustered nodes sharing Redis")
class SseClusteredTest extends ProtocolSuite {
  @Override
  protected ProtocolTransport transport() {
    return ProtocolTransport.SSE;
  }

  @Override
  protected ProtocolDeployment deploy(Map<String, String> settings) {
    return ProtocolDeployment.clustered(settings);
  }
}
