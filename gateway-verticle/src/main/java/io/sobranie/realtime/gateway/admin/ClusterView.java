package io.sobranie.realtime.gateway.admin;

import io.sobranie.realtime.common.Addresses;
import io.sobranie.realtime.common.bus.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The whole cluster as this gateway hears it: the latest {@link NodeStats} of every node that
 * published one on {@link Addresses#ADMIN_STATS} within {@value #STALE_MS} ms (a node silent longer
 * is forgotten), at most {@value #MAX_NODES} nodes, and their aggregate for
 * {@code GET /realtime/admin/stats}. Written by its consumer, read from any event loop.
 */
public final class ClusterView extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ClusterView.class.getName());
  /** A node unheard of for this long is left out (five missed snapshots). */
  public static final long STALE_MS = 5 * StatsPublisher.INTERVAL_MS;
  public static final int MAX_NODES = 256;
  /** A loop whose tasks ran this late is shown {@code slow}. */
  static final long SLOW_LAG_MS = 250;

  private record Heard(NodeStats stats, long receivedAt) {
  }

  private final String nodeId;
  private final Map<String, Heard> nodes = new ConcurrentHashMap<>();

  /** @param nodeId this node, which answers the aggregate ({@code servedBy}) */
  public ClusterView(String nodeId) {
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.ADMIN_STATS, message -> heard(message.body())).completion();
  }

  private void heard(JsonObject body) {
    NodeStats stats;
    try {
      stats = NodeStats.fromJson(body);
    } catch (RuntimeException malformed) {
      LOG.log(Level.FINE, "ignored a malformed node snapshot", malformed);
      return;
    }
    long now = System.currentTimeMillis();
    forgetSilent(now);
    if (nodes.size() >= MAX_NODES && !nodes.containsKey(stats.nodeId())) {
      LOG.log(Level.FINE, "ignored node=" + stats.nodeId() + ": already " + MAX_NODES + " nodes in view");
      return;
    }
    nodes.put(stats.nodeId(), new Heard(stats, now));
  }

  private void forgetSilent(long now) {
    nodes.values().removeIf(heard -> now - heard.receivedAt() > STALE_MS);
  }

  /**
   * The cluster now: every node's snapshot (with {@code ageMs} and its loops' {@code status}),
   * totals over them, the top channels merged from each node's top list, and the store's and the
   * cluster's health as the nodes report them.
   */
  public JsonObject aggregate(long now) {
    forgetSilent(now);
    List<Heard> live = nodes.values().stream().sorted(Comparator.comparing(h -> h.stats().nodeId())).toList();
    JsonArray list = new JsonArray();
    int websocket = 0;
    int sse = 0;
    int poll = 0;
    long usersOnline = 0;
    long streams = 0;
    long messagesIn = 0;
    long messagesOut = 0;
    long slowConsumerCloses = 0;
    Map<String, Long> errors = new TreeMap<>();
    Map<String, Long> channels = new HashMap<>();
    int storeUp = 0;
    long storeLatency = -1;
    boolean clustered = false;
    int inactive = 0;
    int members = 0;
    for (Heard heard : live) {
      NodeStats stats = heard.stats();
      JsonObject node = stats.toJson().put("ageMs", now - heard.receivedAt());
      node.getJsonObject("eventLoops").put("status", loopStatus(stats.loops()));
      list.add(node);
      NodeStats.Traffic traffic = stats.traffic();
      websocket += traffic.connections().websocket();
      sse += traffic.connections().sse();
      poll += traffic.connections().poll();
      usersOnline += traffic.usersOnline();
      streams += traffic.streams();
      messagesIn += traffic.messagesIn();
      messagesOut += traffic.messagesOut();
      slowConsumerCloses += traffic.slowConsumerCloses();
      traffic.errors().forEach((code, count) -> errors.merge(code, count, Long::sum));
      traffic.topChannels().forEach(c -> channels.merge(c.channel(), (long) c.subscribers(), Long::sum));
      NodeStats.Dependencies dependencies = stats.dependencies();
      storeUp += dependencies.storeUp() ? 1 : 0;
      storeLatency = Math.max(storeLatency, dependencies.storeLatencyMs());
      clustered |= dependencies.clustered();
      inactive += dependencies.clusterActive() ? 0 : 1;
      members = Math.max(members, dependencies.clusterMembers());
    }
    JsonArray top = new JsonArray();
    channels.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(NodeStats.MAX_TOP_CHANNELS)
        .forEach(c -> top.add(new JsonObject().put("channel", c.getKey()).put("subscribers", c.getValue())));
    JsonObject errorTotals = new JsonObject();
    errors.forEach(errorTotals::put);
    String store = live.isEmpty() ? "UNKNOWN" : storeUp == live.size() ? "UP" : storeUp == 0 ? "DOWN" : "DEGRADED";
    String cluster = live.isEmpty() ? "UNKNOWN" : inactive == 0 && live.size() >= members ? "UP" : "DEGRADED";
    return new JsonObject()
        .put("ts", now)
        .put("servedBy", nodeId)
        .put("intervalMs", StatsPublisher.INTERVAL_MS)
        .put("staleAfterMs", STALE_MS)
        .put("nodes", list)
        .put("totals", new JsonObject()
            .put("nodes", live.size())
            .put("connections", new JsonObject().put("websocket", websocket).put("sse", sse).put("poll", poll))
            .put("usersOnline", usersOnline)
            .put("streams", streams)
            .put("messages", new JsonObject().put("in", messagesIn).put("out", messagesOut))
            .put("slowConsumerCloses", slowConsumerCloses)
            .put("errors", errorTotals)
            .put("topChannels", top))
        .put("health", new JsonObject()
            .put("store", new JsonObject().put("kind", live.isEmpty() ? null : live.get(0).stats().dependencies().store())
                .put("status", store).put("up", storeUp).put("latencyMs", storeLatency))
            .put("cluster", new JsonObject().put("clustered", clustered).put("members", members).put("reporting", live.size())
                .put("inactive", inactive).put("status", cluster)));
  }

  private static String loopStatus(NodeStats.Loops loops) {
    return loops.blocked() > 0 ? "blocked" : loops.lagMs() >= SLOW_LAG_MS ? "slow" : "ok";
  }
}
