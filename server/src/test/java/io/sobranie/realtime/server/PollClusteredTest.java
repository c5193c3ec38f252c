package io.sobranie.realtime.server;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Protocol over long-poll + REST, two clustered nodes sharing Redis")
class PollClusteredTest extends ProtocolSuite {
  @Override
  protected ProtocolTransport transport() {
    return ProtocolTransport.POLL;
  }

  @Override
  protected ProtocolDeployment deploy(Map<String, String> settings) {
    return ProtocolDeployment.clustered(settings);
  }
}
