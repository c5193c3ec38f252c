package io.sobranie.realtime.server;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Protocol over long-poll + REST, one embedded node")
class PollEmbeddedTest extends ProtocolSuite {
  @Override
  protected ProtocolTransport transport() {
    return ProtocolTransport.POLL;
  }

  @Override
  protected ProtocolDeployment deploy(Map<String, String> settings) {
    return ProtocolDeployment.embedded(settings);
  }
}
