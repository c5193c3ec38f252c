package io.sobranie.realtime.common.config;

import io.sobranie.realtime.common.channel.ChannelRules;
import io.sobranie.realtime.common.store.RedisServers;
import java.util.List;
import java.util.Set;

/**
 * The node's whole configuration, loaded once by {@link ConfigLoader} (defaults &lt; JSON file
 * &lt; environment) and passed down. Field names follow the environment variables of DESIGN.md.
 *
 * @param redisUrl           {@code REDIS_URL} as given (credentials included); null: the in-memory store
 * @param redisServers       the Redis servers and their arrangement ({@code REDIS_MODE}); null without {@code REDIS_URL}
 * @param clusterEventBusPort the TCP port of the clustered event bus (0: a random one)
 * @param clusterServiceDns  with {@code CLUSTER_DISCOVERY=kubernetes}, the headless Service whose DNS
 *                           names the members; null: the {@code CLUSTER_MEMBERS} list
 * @param jwtLeewaySeconds   clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}
 * @param jwtSecretGenerated true when {@code DEV_MODE} made up the secret (the server then prints a dev token)
 * @param allowedOrigins     empty means same-origin only; {@code ["*"]} allows any origin
 * @param transports         the client transports served ({@code websocket}, {@code sse}, {@code poll})
 * @param shutdownDrainMs    on SIGTERM, how long health says 503 before connections are told to go (load balancers notice)
 * @param shutdownDeadlineMs on SIGTERM, the most the whole graceful shutdown may take
 * @param outboundBudgetBytes bytes that may wait unsent for one connection before it counts as behind
 * @param slowConsumerMs     how long a connection may stay behind before it is closed 1013
 * @param outboundLimitBytes unsent bytes past which a connection is closed 1013 at once, however briefly
 * @param subscribesPerMinute per-user budget of WebSocket subscribe and unsubscribe frames on this node
 * @param maxUploads         uploads a node receives at once (503 beyond)
 * @param maxUploadBytesInFlight upload bytes a node accepts at once, counted by declared length (503 beyond)
 * @param headerTimeoutMs    time a connection has to send a request's complete headers (then it is closed)
 * @param bodyIdleTimeoutMs  time a request body may pause between bytes (then the connection is closed)
 * @param maxPendingConnections connections a node holds that are neither upgraded nor a session (SSE, held poll)
 * @param managementPort     the port serving {@code /health}, {@code /health/live} and {@code /metrics} apart from
 *                           the gateway (nodes without the gateway role); -1: none, 0: a random one
 * @param maxUrlBytes        longest HTTP request line (method, URL with its query, version); longer: 414
 * @param maxHeaderBytes     most bytes of HTTP request headers; more: 431
 * @param trustedProxies     peers whose {@code X-Forwarded-For} names the client (default: none)
 * @param logFormat          {@code text} (one plain line per event) or {@code json} (one JSON object per line)
 * @param pollLeaseMs        how long a long-polling user still counts as connected for presence after their last
 *                           held poll ended (the next poll renews it)
 * @param adminToken         a bearer credential for the admin page and its endpoints besides service tokens; null: service tokens only
 */
public record RealtimeConfig(
    int httpPort,
    String httpHost,
    Set<Role> roles,
    String nodeId,
    boolean devMode,
    String jwtSecret,
    boolean jwtSecretGenerated,
    String jwtPublicKey,
    String jwtJwksUrl,
    String jwtIssuer,
    String jwtAudience,
    int jwtLeewaySeconds,
    String redisUrl,
    RedisServers redisServers,
    String redisPrefix,
    boolean cluster,
    String clusterName,
    List<String> clusterMembers,
    int clusterPort,
    String clusterHost,
    int clusterEventBusPort,
    String clusterServiceDns,
    int maxConnections,
    int maxFrameBytes,
    int maxUrlBytes,
    int maxHeaderBytes,
    TrustedProxies trustedProxies,
    String logFormat,
    int messagesPerMinute,
    int signalsPerMinute,
    long presenceGraceMs,
    String blobDir,
    long maxBlobBytes,
    boolean wsCompression,
    long heartbeatMs,
    int historySize,
    long historyTtlSeconds,
    List<String> allowedOrigins,
    Set<String> transports,
    long shutdownDrainMs,
    int outboundBudgetBytes,
    long slowConsumerMs,
    int outboundLimitBytes,
    int subscribesPerMinute,
    int maxUploads,
    long maxUploadBytesInFlight,
    long headerTimeoutMs,
    long bodyIdleTimeoutMs,
    int maxPendingConnections,
    int managementPort,
    long shutdownDeadlineMs,
    long pollLeaseMs,
    String adminToken,
    ChannelRules channelRules) {

  public RealtimeConfig {
    roles = java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(roles));
    clusterMembers = List.copyOf(clusterMembers);
    allowedOrigins = List.copyOf(allowedOrigins);
    transports = Set.copyOf(transports);
  }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  /**
   * Whether the DEV_MODE token endpoints are served: only with a secret DEV_MODE made up itself.
   * With a configured secret or key they would mint real tokens for anyone, so they stay off.
   */
  public boolean devTokens() {
    return devMode && jwtSecretGenerated;
  }
}
