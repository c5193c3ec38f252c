package io.sobranie.realtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.JoinConfig;
import io.sobranie.realtime.common.config.ConfigLoader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Hazelcast join each CLUSTER_DISCOVERY asks for. The member-list join is exercised by every
 * cluster test; Kubernetes DNS discovery needs a cluster DNS (it found no peer among members
 * sharing 127.0.0.1 here), so this pins what Hazelcast is told.
 */
class ClusterConfigTest {
  private static JoinConfig join(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("JWT_SECRET", ServerTestBase.SECRET, "CLUSTER", "true",
        "REDIS_URL", "redis://127.0.0.1:6379", "CLUSTER_PORT", "5801"));
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return Cluster.hazelcast(ConfigLoader.load(env), "test").getNetworkConfig().getJoin();
  }

  @Test
  @DisplayName("members: TCP-IP join through CLUSTER_MEMBERS, nothing else")
  void memberList() {
    JoinConfig join = join("CLUSTER_MEMBERS", "127.0.0.1,127.0.0.1:5802");
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1", "127.0.0.1:5802"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
  }

  @Test
  @DisplayName("kubernetes: DNS lookup of the headless Service, members dialled on CLUSTER_PORT, no member list")
  void kubernetesDns() {
    JoinConfig join = join("CLUSTER_DISCOVERY", "kubernetes", "CLUSTER_SERVICE_DNS", "rt-cluster.rt.svc.cluster.local");
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("rt-cluster.rt.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals("5801", join.getKubernetesConfig().getProperty("service-port"));
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
  }
}
