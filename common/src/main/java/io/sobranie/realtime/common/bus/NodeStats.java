package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.config.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code realtime.admin.stats}: the small snapshot every node publishes once a second for the
 * admin page. Counters ({@code messagesIn}, {@code errors}, …) only grow during a node's run
 * ({@code startedAt}), so readers compute rates from two snapshots. Read back with the same
 * validation as client input: any sender on the bus may be wrong, and a snapshot stays small
 * (at most {@value #MAX_TOP_CHANNELS} top channels, errors by known wire codes only).
 *
 * @param roles        the roles the node runs ({@code gateway}, {@code chat}, …)
 * @param startedAt    when this run of the node started (ms)
 * @param ts           when the snapshot was taken, by the node's clock (ms)
 * @param traffic      the gateway's counts; {@link Traffic#NONE} on a node without the gateway role
 */
public record NodeStats(String nodeId, List<String> roles, long startedAt, long ts, boolean draining, Loops loops,
                        Traffic traffic, Dependencies dependencies) {
  /** The most channels a snapshot ranks by local subscribers. */
  public static final int MAX_TOP_CHANNELS = 10;
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_\\-.]{1,64}");

  public NodeStats {
    roles = List.copyOf(roles);
  }

  /**
   * The node's event loops.
   *
   * @param blocked loops that have not run a task for seconds (health says DOWN then)
   * @param lagMs   the longest a loop's periodic task recently ran late: how long tasks wait
   */
  public record Loops(int count, int blocked, long lagMs) {
  }

  /** Open sessions by transport. */
  public record Connections(int websocket, int sse, int poll) {
  }

  /** A channel and how many of the node's sessions follow it. */
  public record ChannelCount(String channel, int subscribers) {
  }

  /**
   * What the gateway counted since the node started.
   *
   * @param usersOnline distinct users with a session on this node
   * @param streams     streams (channels, notification streams) this node's sessions follow
   * @param messagesIn  messages accepted through this node
   * @param messagesOut objects written to this node's clients
   * @param errors      errors sent to clients, by wire code (codes never sent are left out)
   * @param topChannels the channels with the most local subscribers, most first
   */
  public record Traffic(Connections connections, int usersOnline, int streams, long messagesIn, long messagesOut,
                        long slowConsumerCloses, Map<String, Long> errors, List<ChannelCount> topChannels) {
    public static final Traffic NONE = new Traffic(new Connections(0, 0, 0), 0, 0, 0, 0, 0, Map.of(), List.of());

    public Traffic {
      errors = Map.copyOf(errors);
      topChannels = List.copyOf(topChannels);
    }
  }

  /**
   * The store and the cluster as this node sees them.
   *
   * @param store          {@code redis} or {@code memory}
   * @param storeLatencyMs the last health write's round trip; -1 when it failed or never answered
   * @param clusterMembers members of the Hazelcast cluster (1 when not clustered)
   */
  public record Dependencies(String store, boolean storeUp, long storeLatencyMs, boolean clustered, boolean clusterActive,
                             int clusterMembers) {
  }

  public JsonObject toJson() {
    JsonObject errors = new JsonObject();
    traffic.errors().forEach(errors::put);
    JsonArray top = new JsonArray();
    traffic.topChannels().forEach(c -> top.add(new JsonObject().put("channel", c.channel()).put("subscribers", c.subscribers())));
    Connections c = traffic.connections();
    return new JsonObject()
        .put("node", nodeId)
        .put("roles", new JsonArray(new ArrayList<>(roles)))
        .put("startedAt", startedAt)
        .put("ts", ts)
        .put("draining", draining)
        .put("eventLoops", new JsonObject().put("count", loops.count()).put("blocked", loops.blocked()).put("lagMs", loops.lagMs()))
        .put("connections", new JsonObject().put("websocket", c.websocket()).put("sse", c.sse()).put("poll", c.poll()))
        .put("usersOnline", traffic.usersOnline())
        .put("streams", traffic.streams())
        .put("messages", new JsonObject().put("in", traffic.messagesIn()).put("out", traffic.messagesOut()))
        .put("slowConsumerCloses", traffic.slowConsumerCloses())
        .put("errors", errors)
        .put("topChannels", top)
        .put("store", new JsonObject().put("kind", dependencies.store()).put("up", dependencies.storeUp())
            .put("latencyMs", dependencies.storeLatencyMs()))
        .put("cluster", new JsonObject().put("clustered", dependencies.clustered()).put("active", dependencies.clusterActive())
            .put("members", dependencies.clusterMembers()));
  }

  /** Reads a snapshot from the bus; anything malformed or oversized is a {@code bad_request}. */
  public static NodeStats fromJson(JsonObject json) {
    String nodeId = JsonFields.requireString(json, "node");
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw RealtimeException.badRequest("'node' is not a valid node id");
    }
    JsonObject loops = object(json, "eventLoops");
    JsonObject connections = object(json, "connections");
    JsonObject messages = object(json, "messages");
    JsonObject store = object(json, "store");
    JsonObject cluster = object(json, "cluster");
    String storeKind = JsonFields.requireString(store, "kind");
    if (!storeKind.equals("redis") && !storeKind.equals("memory")) {
      throw RealtimeException.badRequest("'store.kind' must be redis or memory");
    }
    long latency = store.getValue("latencyMs") instanceof Number n ? n.longValue() : -2;
    if (latency < -1) {
      throw RealtimeException.badRequest("'store.latencyMs' must be -1 or more");
    }
    return new NodeStats(nodeId, roles(json), count(json, "startedAt"), count(json, "ts"), JsonFields.requireBoolean(json, "draining"),
        new Loops(smallCount(loops, "count"), smallCount(loops, "blocked"), count(loops, "lagMs")),
        new Traffic(new Connections(smallCount(connections, "websocket"), smallCount(connections, "sse"), smallCount(connections, "poll")),
            smallCount(json, "usersOnline"), smallCount(json, "streams"), count(messages, "in"), count(messages, "out"),
            count(json, "slowConsumerCloses"), errors(object(json, "errors")), topChannels(json)),
        new Dependencies(storeKind, JsonFields.requireBoolean(store, "up"), latency, JsonFields.requireBoolean(cluster, "clustered"),
            JsonFields.requireBoolean(cluster, "active"), smallCount(cluster, "members")));
  }

  private static List<String> roles(JsonObject json) {
    JsonArray roles = JsonFields.optionalArray(json, "roles");
    if (roles == null || roles.size() > Role.values().length) {
      throw RealtimeException.badRequest("'roles' must be an array of roles");
    }
    List<String> names = new ArrayList<>();
    for (Object role : roles) {
      if (!(role instanceof String name) || !isRole(name) || names.contains(name)) {
        throw RealtimeException.badRequest("'roles' must hold distinct roles (gateway, chat, presence, notification)");
      }
      names.add(name);
    }
    return names;
  }

  private static boolean isRole(String name) {
    for (Role role : Role.values()) {
      if (role.configName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Long> errors(JsonObject errors) {
    if (errors.size() > ErrorCode.values().length) {
      throw RealtimeException.badRequest("'errors' has more codes than there are");
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String code : errors.fieldNames()) {
      if (!ErrorCode.fromWire(code).wire().equals(code)) {
        throw RealtimeException.badRequest("'errors' holds an unknown code");
      }
      counts.put(code, count(errors, code));
    }
    return counts;
  }

  private static List<ChannelCount> topChannels(JsonObject json) {
    JsonArray top = JsonFields.optionalArray(json, "topChannels");
    if (top == null || top.size() > MAX_TOP_CHANNELS) {
      throw RealtimeException.badRequest("'topChannels' must be an array of at most " + MAX_TOP_CHANNELS);
    }
    List<ChannelCount> channels = new ArrayList<>();
    for (Object entry : top) {
      if (!(entry instanceof JsonObject channel)) {
        throw RealtimeException.badRequest("'topChannels' must hold objects");
      }
      channels.add(new ChannelCount(Channel.parse(JsonFields.requireString(channel, "channel")).name(),
          smallCount(channel, "subscribers")));
    }
    return channels;
  }

  private static JsonObject object(JsonObject json, String key) {
    JsonObject value = JsonFields.optionalObject(json, key);
    if (value == null) {
      throw RealtimeException.badRequest("'" + key + "' must be an object");
    }
    return value;
  }

  private static long count(JsonObject json, String key) {
    Long value = JsonFields.optionalNonNegativeLong(json, key);
    if (value == null) {
      throw RealtimeException.badRequest("'" + key + "' must be a non-negative integer");
    }
    return value;
  }

  private static int smallCount(JsonObject json, String key) {
    long value = count(json, key);
    if (value > Integer.MAX_VALUE) {
      throw RealtimeException.badRequest("'" + key + "' is too large");
    }
    return (int) value;
  }
}
