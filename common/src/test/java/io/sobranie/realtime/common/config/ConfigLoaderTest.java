package io.sobranie.realtime.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.channel.ChannelRules;
import io.sobranie.realtime.common.channel.NamespaceRules;
import io.sobranie.realtime.common.channel.Rule;
import io.sobranie.realtime.common.store.HistoryLimits;
import io.sobranie.realtime.common.store.RedisServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN.md "Configuration": defaults &lt; CONFIG_FILE &lt; environment, validated, errors name the key. */
class ConfigLoaderTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final Principal ALICE = new Principal("alice", Set.of(), Set.of(), Long.MAX_VALUE);
  private static final Principal SERVICE = new Principal("svc", Set.of(Principal.ROLE_SERVICE), Set.of(), Long.MAX_VALUE);

  @TempDir
  Path dir;

  /** The minimal valid environment (a secret) plus the given pairs. */
  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SECRET", SECRET);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static RealtimeConfig load(String... pairs) {
    return ConfigLoader.load(env(pairs));
  }

  /** Loading fails with a ConfigException whose message starts with {@code key}. */
  private static ConfigException rejected(String key, Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env));
    assertTrue(e.getMessage().startsWith(key), "message should start with " + key + ": " + e.getMessage());
    return e;
  }

  private Path file(String json) throws IOException {
    Path path = dir.resolve("realtime.json");
    Files.writeString(path, json);
    return path;
  }

  @Test
  @DisplayName("CLUSTER_DISCOVERY: members by default, kubernetes with a service DNS name, anything else rejected")
  void clusterDiscovery() {
    assertNull(load().clusterServiceDns());
    assertEquals("rt-cluster.realtime.svc.cluster.local", load("CLUSTER_DISCOVERY", "kubernetes",
        "CLUSTER_SERVICE_DNS", "rt-cluster.realtime.svc.cluster.local").clusterServiceDns());
    assertNull(load("CLUSTER_SERVICE_DNS", "ignored.example").clusterServiceDns(), "only with CLUSTER_DISCOVERY=kubernetes");
    rejected("CLUSTER_SERVICE_DNS", env("CLUSTER_DISCOVERY", "kubernetes"));
    rejected("CLUSTER_SERVICE_DNS", env("CLUSTER_DISCOVERY", "kubernetes", "CLUSTER_SERVICE_DNS", "bad name!"));
    rejected("CLUSTER_SERVICE_DNS", env("CLUSTER_DISCOVERY", "kubernetes", "CLUSTER_SERVICE_DNS", "-leading.dash"));
    rejected("CLUSTER_DISCOVERY", env("CLUSTER_DISCOVERY", "multicast"));
  }

  @Test
  @DisplayName("abuse bounds: defaults, and values that cannot work are rejected naming their key")
  void abuseBounds() {
    RealtimeConfig c = load();
    assertEquals(4 * 1024 * 1024, c.outboundLimitBytes(), "4 x OUTBOUND_BUDGET_BYTES by default");
    assertEquals(600, c.subscribesPerMinute());
    assertEquals(16, c.maxUploads());
    assertEquals(64L * 1024 * 1024, c.maxUploadBytesInFlight());
    assertEquals(10_000, c.headerTimeoutMs());
    assertEquals(10_000, c.bodyIdleTimeoutMs());
    assertEquals(1000, c.maxPendingConnections());
    assertEquals(400_000, load("OUTBOUND_BUDGET_BYTES", "100000").outboundLimitBytes(), "follows the budget");
    assertEquals(300_000, load("OUTBOUND_BUDGET_BYTES", "100000", "OUTBOUND_LIMIT_BYTES", "300000").outboundLimitBytes());
    rejected("OUTBOUND_LIMIT_BYTES", env("OUTBOUND_BUDGET_BYTES", "100000", "OUTBOUND_LIMIT_BYTES", "50000"));
    rejected("MAX_UPLOAD_BYTES_IN_FLIGHT", env("MAX_BLOB_BYTES", "1000000", "MAX_UPLOAD_BYTES_IN_FLIGHT", "999999"));
    rejected("SUBSCRIBES_PER_MINUTE", env("SUBSCRIBES_PER_MINUTE", "0"));
    rejected("MAX_UPLOADS", env("MAX_UPLOADS", "many"));
    rejected("HEADER_TIMEOUT_MS", env("HEADER_TIMEOUT_MS", "0"));
    rejected("BODY_IDLE_TIMEOUT_MS", env("BODY_IDLE_TIMEOUT_MS", "-1"));
    rejected("MAX_PENDING_CONNECTIONS", env("MAX_PENDING_CONNECTIONS", "0"));
    assertEquals(-1, c.managementPort(), "no management port unless asked for");
    assertEquals(9090, load("MANAGEMENT_PORT", "9090").managementPort());
    rejected("MANAGEMENT_PORT", env("MANAGEMENT_PORT", "70000"));
    rejected("MANAGEMENT_PORT", env("MANAGEMENT_PORT", "ninety"));
  }

  // ---------------------------------------------------------------- defaults

  @Test
  @DisplayName("defaults are the values of the DESIGN.md table")
  void defaultsMatchTheDesignTable() {
    RealtimeConfig c = load();
    assertEquals(8080, c.httpPort());
    assertEquals("0.0.0.0", c.httpHost());
    assertEquals(EnumSet.allOf(Role.class), c.roles());
    assertFalse(c.devMode());
    assertNull(c.redisUrl(), "no REDIS_URL: the in-memory store");
    assertNull(c.redisServers());
    assertFalse(c.cluster());
    assertEquals(List.of("127.0.0.1"), c.clusterMembers());
    assertEquals(5701, c.clusterPort());
    assertEquals("127.0.0.1", c.clusterHost());
    assertEquals(10000, c.maxConnections());
    assertEquals(65536, c.maxFrameBytes());
    assertEquals(100, c.messagesPerMinute());
    assertEquals(600, c.signalsPerMinute());
    assertEquals(1000, c.presenceGraceMs());
    assertEquals(10L * 1024 * 1024, c.maxBlobBytes());
    assertFalse(c.wsCompression());
    assertEquals(25000, c.heartbeatMs());
    assertEquals(1000, c.historySize());
    assertEquals(86400, c.historyTtlSeconds());
    assertNull(c.jwtIssuer());
    assertNull(c.jwtAudience());
    assertNull(c.jwtPublicKey());
    assertNull(c.jwtJwksUrl());
  }

  @Test
  void defaultRolesRunEveryRole() {
    RealtimeConfig c = load();
    for (Role role : Role.values()) {
      assertTrue(c.runs(role), role.configName());
    }
  }

  @Test
  void defaultNodeIdIsRandomAndValid() {
    String a = load().nodeId();
    String b = load().nodeId();
    assertNotNull(a);
    assertTrue(a.matches("[A-Za-z0-9_\\-.]{1,64}"), a);
    assertNotEquals(a, b, "NODE_ID default is random");
  }

  @Test
  @DisplayName("ALLOWED_ORIGINS defaults to same-origin (empty list) outside DEV_MODE")
  void allowedOriginsDefaultIsSameOriginOutsideDevMode() {
    assertEquals(List.of(), load().allowedOrigins());
  }

  @Test
  @DisplayName("ALLOWED_ORIGINS defaults to * in DEV_MODE")
  void allowedOriginsDefaultIsStarInDevMode() {
    assertEquals(List.of("*"), ConfigLoader.load(Map.of("DEV_MODE", "true")).allowedOrigins());
  }

  @Test
  void defaultChannelRulesAreTheProtocolTable() {
    assertEquals(ChannelRules.defaults(1000, 86400), load().channelRules().namespaces());
  }

  // ---------------------------------------------------------------- environment overrides

  @Test
  void environmentOverridesDefaults() {
    RealtimeConfig c = load(
        "HTTP_PORT", "9090",
        "HTTP_HOST", "127.0.0.1",
        "ROLES", "gateway,chat",
        "NODE_ID", "node-a",
        "MAX_CONNECTIONS", "5",
        "MAX_FRAME_BYTES", "2048",
        "MESSAGES_PER_MINUTE", "7",
        "SIGNALS_PER_MINUTE", "8",
        "PRESENCE_GRACE_MS", "0",
        "WS_COMPRESSION", "true",
        "HEARTBEAT_MS", "500",
        "HISTORY_SIZE", "10",
        "HISTORY_TTL_SECONDS", "60",
        "JWT_ISSUER", "https://issuer.example",
        "JWT_AUDIENCE", "realtime",
        "CLUSTER_MEMBERS", "10.0.0.1, 10.0.0.2",
        "CLUSTER_PORT", "5801",
        "CLUSTER_HOST", "10.0.0.1",
        "ALLOWED_ORIGINS", "https://a.example,https://b.example");
    assertEquals(9090, c.httpPort());
    assertEquals("127.0.0.1", c.httpHost());
    assertEquals(EnumSet.of(Role.GATEWAY, Role.CHAT), c.roles());
    assertFalse(c.runs(Role.PRESENCE));
    assertEquals("node-a", c.nodeId());
    assertEquals(5, c.maxConnections());
    assertEquals(2048, c.maxFrameBytes());
    assertEquals(7, c.messagesPerMinute());
    assertEquals(8, c.signalsPerMinute());
    assertEquals(0, c.presenceGraceMs());
    assertTrue(c.wsCompression());
    assertEquals(500, c.heartbeatMs());
    assertEquals(10, c.historySize());
    assertEquals(60, c.historyTtlSeconds());
    assertEquals("https://issuer.example", c.jwtIssuer());
    assertEquals("realtime", c.jwtAudience());
    assertEquals(List.of("10.0.0.1", "10.0.0.2"), c.clusterMembers());
    assertEquals(5801, c.clusterPort());
    assertEquals("10.0.0.1", c.clusterHost());
    assertEquals(List.of("https://a.example", "https://b.example"), c.allowedOrigins());
    assertEquals(SECRET, c.jwtSecret());
    assertFalse(c.jwtSecretGenerated());
  }

  @Test
  @DisplayName("HTTP_PORT 0 (random port) is accepted")
  void httpPortZeroMeansRandomAndIsAccepted() {
    assertEquals(0, load("HTTP_PORT", "0").httpPort());
  }

  @Test
  void rolesAllMeansEveryRole() {
    assertEquals(EnumSet.allOf(Role.class), load("ROLES", "all").roles());
  }

  @Test
  void historyEnvironmentAppliesToEveryDefaultNamespace() {
    ChannelRules rules = load("HISTORY_SIZE", "10", "HISTORY_TTL_SECONDS", "60").channelRules();
    assertEquals(new HistoryLimits(10, 60), rules.historyLimits("chat:lobby"));
    assertEquals(new HistoryLimits(10, 60), rules.historyLimits("dm:alice:bob"));
    assertEquals(new HistoryLimits(10, 60), rules.historyLimits("notifications"));
  }

  @Test
  void unrelatedEnvironmentVariablesAreIgnored() {
    assertEquals(8080, load("PATH", "/usr/bin", "HOME", "/root", "SOMETHING_ELSE", "x").httpPort());
  }

  @Test
  void redisUrlAndClusterAreAccepted() {
    RealtimeConfig c = load("REDIS_URL", "redis://127.0.0.1:6379", "CLUSTER", "true");
    assertEquals("redis://127.0.0.1:6379", c.redisUrl());
    assertEquals(RedisServers.standalone("redis://127.0.0.1:6379"), c.redisServers(), "REDIS_MODE is standalone by default");
    assertTrue(c.cluster());
  }

  // ---------------------------------------------------------------- REDIS_MODE, REDIS_URL lists, REDIS_MASTER_NAME

  @Test
  @DisplayName("REDIS_MODE=sentinel takes a comma list of Sentinels and REDIS_MASTER_NAME")
  void sentinelModeTakesSentinelsAndAMasterName() {
    RealtimeConfig c = load("REDIS_MODE", "sentinel", "REDIS_MASTER_NAME", "realtime",
        "REDIS_URL", "redis://:pw@10.0.0.5:26379, redis://:pw@10.0.0.6:26379/2");
    assertEquals(new RedisServers(RedisServers.Mode.SENTINEL,
        List.of("redis://:pw@10.0.0.5:26379", "redis://:pw@10.0.0.6:26379/2"), "realtime"), c.redisServers());
  }

  @Test
  @DisplayName("REDIS_MODE=cluster takes a comma list of cluster nodes; the mode is case-insensitive")
  void clusterModeTakesSomeClusterNodes() {
    RealtimeConfig c = load("REDIS_MODE", "Cluster", "REDIS_URL", "rediss://a.example:6380,rediss://b.example:6380/0");
    assertEquals(new RedisServers(RedisServers.Mode.CLUSTER, List.of("rediss://a.example:6380", "rediss://b.example:6380/0"),
        null), c.redisServers());
  }

  @Test
  void unknownRedisModeIsRejectedNamingIt() {
    ConfigException e = rejected("REDIS_MODE", env("REDIS_MODE", "replicated", "REDIS_URL", "redis://127.0.0.1:6379"));
    assertTrue(e.getMessage().contains("standalone, sentinel or cluster"), e.getMessage());
  }

  @Test
  @DisplayName("sentinel or cluster mode without REDIS_URL is rejected naming REDIS_URL")
  void sentinelOrClusterWithoutUrlIsRejectedNamingRedisUrl() {
    rejected("REDIS_URL", env("REDIS_MODE", "cluster"));
    rejected("REDIS_URL", env("REDIS_MODE", "sentinel", "REDIS_MASTER_NAME", "mymaster"));
  }

  @Test
  @DisplayName("a standalone Redis takes exactly one URL")
  void standaloneWithSeveralUrlsIsRejectedNamingRedisUrl() {
    ConfigException e = rejected("REDIS_URL", env("REDIS_URL", "redis://10.0.0.5:6379,redis://10.0.0.6:6379"));
    assertTrue(e.getMessage().contains("REDIS_MODE=sentinel"), "says how to use several: " + e.getMessage());
    rejected("REDIS_URL", env("REDIS_URL", " , "));
  }

  @Test
  void sentinelWithoutMasterNameIsRejectedNamingIt() {
    rejected("REDIS_MASTER_NAME", env("REDIS_MODE", "sentinel", "REDIS_URL", "redis://10.0.0.5:26379"));
  }

  @Test
  void masterNameWithASpaceIsRejectedNamingIt() {
    rejected("REDIS_MASTER_NAME", env("REDIS_MODE", "sentinel", "REDIS_URL", "redis://10.0.0.5:26379",
        "REDIS_MASTER_NAME", "my master"));
  }

  @Test
  @DisplayName("REDIS_MASTER_NAME without sentinel mode is a mistake, rejected naming it")
  void masterNameOutsideSentinelModeIsRejected() {
    rejected("REDIS_MASTER_NAME", env("REDIS_URL", "redis://127.0.0.1:6379", "REDIS_MASTER_NAME", "mymaster"));
    rejected("REDIS_MASTER_NAME", env("REDIS_MODE", "cluster", "REDIS_URL", "redis://127.0.0.1:6379",
        "REDIS_MASTER_NAME", "mymaster"));
  }

  @Test
  @DisplayName("every URL of a list is checked, and the error does not repeat its password")
  void everyUrlOfAListIsCheckedWithoutEchoingThePassword() {
    ConfigException e = rejected("REDIS_URL", env("REDIS_MODE", "cluster",
        "REDIS_URL", "redis://:s3cret@10.0.0.5:6379,http://:s3cret@10.0.0.6:6379"));
    assertTrue(e.getMessage().contains("10.0.0.6"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void redisUrlWithABadPortIsRejectedNamingIt() {
    rejected("REDIS_URL", env("REDIS_URL", "redis://127.0.0.1:70000"));
  }

  @Test
  void redisUrlWithAPathThatIsNotADatabaseIsRejectedNamingIt() {
    rejected("REDIS_URL", env("REDIS_URL", "redis://127.0.0.1:6379/cache"));
  }

  @Test
  @DisplayName("a database other than 0 is refused in cluster mode (a cluster has only database 0)")
  void clusterWithADatabaseOtherThanZeroIsRejected() {
    rejected("REDIS_URL", env("REDIS_MODE", "cluster", "REDIS_URL", "redis://10.0.0.5:6379,redis://10.0.0.6:6379/3"));
    assertEquals(List.of("redis://10.0.0.5:6379/3"), load("REDIS_URL", "redis://10.0.0.5:6379/3").redisServers().urls(),
        "a standalone Redis may use another database");
  }

  @Test
  void mixingTlsAndPlainUrlsIsRejectedNamingRedisUrl() {
    rejected("REDIS_URL", env("REDIS_MODE", "cluster", "REDIS_URL", "redis://10.0.0.5:6379,rediss://10.0.0.6:6380"));
  }

  // ---------------------------------------------------------------- CONFIG_FILE

  @Test
  void configFileOverridesDefaults() throws IOException {
    Path path = file("{\"HTTP_PORT\": 8181, \"ROLES\": [\"chat\", \"presence\"], \"WS_COMPRESSION\": true,"
        + " \"NODE_ID\": \"from-file\"}");
    RealtimeConfig c = load("CONFIG_FILE", path.toString());
    assertEquals(8181, c.httpPort());
    assertEquals(EnumSet.of(Role.CHAT, Role.PRESENCE), c.roles());
    assertTrue(c.wsCompression());
    assertEquals("from-file", c.nodeId());
  }

  @Test
  @DisplayName("an environment variable wins over the same key in CONFIG_FILE")
  void environmentWinsOverConfigFile() throws IOException {
    Path path = file("{\"HTTP_PORT\": 8181, \"HEARTBEAT_MS\": 1000}");
    RealtimeConfig c = load("CONFIG_FILE", path.toString(), "HTTP_PORT", "9191");
    assertEquals(9191, c.httpPort(), "env beats file");
    assertEquals(1000, c.heartbeatMs(), "file beats default");
  }

  @Test
  void configFileCanHoldTheJwtSecret() throws IOException {
    Path path = file("{\"JWT_SECRET\": \"file-secret-file-secret-file-secret\"}");
    RealtimeConfig c = ConfigLoader.load(Map.of("CONFIG_FILE", path.toString()));
    assertEquals("file-secret-file-secret-file-secret", c.jwtSecret());
  }

  @Test
  void unknownKeyInConfigFileIsRejectedNamingTheKey() throws IOException {
    Path path = file("{\"HTTP_PORT\": 8181, \"HTTP_PROT\": 1}");
    ConfigException e = assertThrows(ConfigException.class, () -> load("CONFIG_FILE", path.toString()));
    assertTrue(e.getMessage().contains("HTTP_PROT"), e.getMessage());
  }

  @Test
  void configFileThatIsNotJsonIsRejected() throws IOException {
    Path path = file("HTTP_PORT=8181");
    rejected("CONFIG_FILE", env("CONFIG_FILE", path.toString()));
  }

  @Test
  void missingConfigFileIsRejected() {
    rejected("CONFIG_FILE", env("CONFIG_FILE", dir.resolve("absent.json").toString()));
  }

  @Test
  void badValueInConfigFileNamesItsKey() throws IOException {
    Path path = file("{\"HTTP_PORT\": \"eighty\"}");
    rejected("HTTP_PORT", env("CONFIG_FILE", path.toString()));
  }

  // ---------------------------------------------------------------- bad values

  @Test
  void nonNumericHttpPortIsRejectedNamingHttpPort() {
    rejected("HTTP_PORT", env("HTTP_PORT", "eighty"));
  }

  @Test
  void httpPortAbove65535IsRejectedNamingHttpPort() {
    rejected("HTTP_PORT", env("HTTP_PORT", "65536"));
  }

  @Test
  void negativeHttpPortIsRejectedNamingHttpPort() {
    rejected("HTTP_PORT", env("HTTP_PORT", "-1"));
  }

  @Test
  void emptyHttpPortIsRejectedNamingHttpPort() {
    rejected("HTTP_PORT", env("HTTP_PORT", ""));
  }

  @Test
  void nonNumericMaxFrameBytesIsRejectedNamingIt() {
    rejected("MAX_FRAME_BYTES", env("MAX_FRAME_BYTES", "64k"));
  }

  @Test
  void nonNumericHeartbeatIsRejectedNamingIt() {
    rejected("HEARTBEAT_MS", env("HEARTBEAT_MS", "soon"));
  }

  @Test
  void zeroHistorySizeIsRejectedNamingIt() {
    rejected("HISTORY_SIZE", env("HISTORY_SIZE", "0"));
  }

  @Test
  void badBooleanIsRejectedNamingTheKey() {
    rejected("WS_COMPRESSION", env("WS_COMPRESSION", "maybe"));
  }

  @Test
  void badDevModeBooleanIsRejectedNamingDevMode() {
    rejected("DEV_MODE", env("DEV_MODE", "sure"));
  }

  @Test
  void badClusterBooleanIsRejectedNamingCluster() {
    rejected("CLUSTER", env("CLUSTER", "on-ish", "REDIS_URL", "redis://127.0.0.1:6379"));
  }

  @Test
  void unknownRoleIsRejectedNamingRoles() {
    ConfigException e = rejected("ROLES", env("ROLES", "gateway,cook"));
    assertTrue(e.getMessage().contains("cook"), e.getMessage());
  }

  @Test
  void emptyRolesIsRejectedNamingRoles() {
    rejected("ROLES", env("ROLES", " , "));
  }

  @Test
  void redisUrlWithoutSchemeIsRejectedNamingRedisUrl() {
    rejected("REDIS_URL", env("REDIS_URL", "127.0.0.1:6379"));
  }

  @Test
  void redisUrlWithWrongSchemeIsRejectedNamingRedisUrl() {
    rejected("REDIS_URL", env("REDIS_URL", "http://127.0.0.1:6379"));
  }

  @Test
  void jwksUrlThatIsNotHttpIsRejectedNamingIt() {
    rejected("JWT_JWKS_URL", env("JWT_JWKS_URL", "ftp://keys.example/jwks.json"));
  }

  @Test
  void nodeIdWithSpaceIsRejectedNamingNodeId() {
    rejected("NODE_ID", env("NODE_ID", "node a"));
  }

  @Test
  void nodeIdWithSlashIsRejectedNamingNodeId() {
    rejected("NODE_ID", env("NODE_ID", "node/a"));
  }

  @Test
  void nodeIdOver64CharactersIsRejectedNamingNodeId() {
    rejected("NODE_ID", env("NODE_ID", "n".repeat(65)));
  }

  // ---------------------------------------------------------------- JWT secret / DEV_MODE

  @Test
  @DisplayName("no JWT_SECRET and no DEV_MODE: refuse to start, naming JWT_SECRET")
  void missingJwtSecretWithoutDevModeIsRejected() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of()));
    assertTrue(e.getMessage().startsWith("JWT_SECRET"), e.getMessage());
  }

  @Test
  void blankJwtSecretWithoutDevModeIsRejected() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("JWT_SECRET", "  ")));
    assertTrue(e.getMessage().startsWith("JWT_SECRET"), e.getMessage());
  }

  @Test
  void devModeFalseWithoutJwtSecretIsRejected() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of("DEV_MODE", "false")));
    assertTrue(e.getMessage().startsWith("JWT_SECRET"), e.getMessage());
  }

  @Test
  @DisplayName("DEV_MODE=true without JWT_SECRET generates a random secret")
  void devModeGeneratesASecret() {
    RealtimeConfig a = ConfigLoader.load(Map.of("DEV_MODE", "true"));
    RealtimeConfig b = ConfigLoader.load(Map.of("DEV_MODE", "true"));
    assertTrue(a.devMode());
    assertTrue(a.jwtSecretGenerated());
    assertNotNull(a.jwtSecret());
    assertTrue(a.jwtSecret().length() >= 32, "a generated HS256 secret should be long: " + a.jwtSecret().length());
    assertNotEquals(a.jwtSecret(), b.jwtSecret(), "generated secrets are random");
  }

  @Test
  void devModeKeepsAGivenSecret() {
    RealtimeConfig c = load("DEV_MODE", "true");
    assertEquals(SECRET, c.jwtSecret());
    assertFalse(c.jwtSecretGenerated());
  }

  @Test
  void publicKeyAloneIsEnoughWithoutSecret() {
    RealtimeConfig c = ConfigLoader.load(Map.of("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
    assertNull(c.jwtSecret());
    assertFalse(c.jwtSecretGenerated());
  }

  // ---------------------------------------------------------------- cluster

  @Test
  @DisplayName("CLUSTER=true without REDIS_URL refuses to start")
  void clusterWithoutRedisIsRejected() {
    rejected("CLUSTER", env("CLUSTER", "true"));
  }

  // ---------------------------------------------------------------- CHANNELS

  @Test
  @DisplayName("CHANNELS patches a built-in namespace: chat publish → service, subscribe unchanged")
  void channelsPatchesABuiltInNamespace() {
    ChannelRules rules = load("CHANNELS", "{\"chat\":{\"publish\":\"service\"}}").channelRules();
    Channel lobby = Channel.parse("chat:lobby");
    RealtimeException denied = assertThrows(RealtimeException.class, () -> rules.checkPublish(ALICE, lobby));
    assertEquals(ErrorCode.FORBIDDEN, denied.code());
    rules.checkPublish(SERVICE, lobby);
    rules.checkSubscribe(ALICE, lobby);
    NamespaceRules chat = rules.namespaces().get("chat");
    assertEquals(Rule.ANY, chat.subscribe());
    assertEquals(Rule.SERVICE, chat.publish());
    assertTrue(chat.presence(), "untouched fields keep their default");
  }

  @Test
  @DisplayName("CHANNELS adds a new namespace: game with subscribe any, publish denied by default")
  void channelsAddsANewNamespace() {
    ChannelRules rules = load("CHANNELS", "{\"game\":{\"subscribe\":\"any\"}}").channelRules();
    Channel game = Channel.parse("game:42");
    rules.checkSubscribe(ALICE, game);
    RealtimeException denied = assertThrows(RealtimeException.class, () -> rules.checkPublish(ALICE, game));
    assertEquals(ErrorCode.FORBIDDEN, denied.code());
    assertTrue(rules.namespaces().containsKey("chat"), "built-in namespaces stay");
  }

  @Test
  void channelsSetsPerNamespaceHistoryLimits() {
    ChannelRules rules = load("CHANNELS", "{\"chat\":{\"historySize\":50,\"historyTtlSeconds\":600}}").channelRules();
    assertEquals(new HistoryLimits(50, 600), rules.historyLimits("chat:lobby"));
    assertEquals(new HistoryLimits(1000, 86400), rules.historyLimits("dm:alice:bob"));
  }

  @Test
  void channelsCanComeFromTheConfigFileAsAnObject() throws IOException {
    Path path = file("{\"CHANNELS\": {\"game\": {\"subscribe\": \"any\", \"publish\": \"claim:circles\", \"presence\": true}}}");
    ChannelRules rules = load("CONFIG_FILE", path.toString()).channelRules();
    NamespaceRules game = rules.namespaces().get("game");
    assertNotNull(game);
    assertEquals(Rule.ANY, game.subscribe());
    assertEquals(Rule.claim("circles"), game.publish());
    assertTrue(game.presence());
  }

  @Test
  void channelsBadRuleTextIsRejectedNamingTheNamespace() {
    rejected("CHANNELS.chat", env("CHANNELS", "{\"chat\":{\"publish\":\"everyone\"}}"));
  }

  @Test
  void channelsUnknownClaimIsRejectedNamingTheNamespace() {
    rejected("CHANNELS.chat", env("CHANNELS", "{\"chat\":{\"subscribe\":\"claim:groups\"}}"));
  }

  @Test
  void channelsUnknownFieldIsRejectedNamingTheNamespace() {
    ConfigException e = rejected("CHANNELS.chat", env("CHANNELS", "{\"chat\":{\"colour\":\"red\"}}"));
    assertTrue(e.getMessage().contains("colour"), e.getMessage());
  }

  @Test
  void channelsNonBooleanPresenceIsRejectedNamingTheField() {
    rejected("CHANNELS.chat.presence", env("CHANNELS", "{\"chat\":{\"presence\":\"yes\"}}"));
  }

  @Test
  void channelsNonPositiveHistorySizeIsRejectedNamingTheField() {
    rejected("CHANNELS.chat.historySize", env("CHANNELS", "{\"chat\":{\"historySize\":0}}"));
  }

  @Test
  void channelsNamespaceThatIsNotAnObjectIsRejected() {
    rejected("CHANNELS.chat", env("CHANNELS", "{\"chat\":\"any\"}"));
  }

  @Test
  void channelsInvalidNamespaceNameIsRejectedNamingIt() {
    rejected("CHANNELS.a b", env("CHANNELS", "{\"a b\":{\"subscribe\":\"any\"}}"));
  }

  @Test
  void channelsThatIsNotJsonIsRejected() {
    rejected("CHANNELS", env("CHANNELS", "chat=any"));
  }

  @Test
  @DisplayName("MAX_URL_BYTES and MAX_HEADER_BYTES default to 8192 and 16384 and can be set")
  void requestSizeCaps() {
    assertEquals(8192, load().maxUrlBytes());
    assertEquals(16384, load().maxHeaderBytes());
    RealtimeConfig set = load("MAX_URL_BYTES", "4096", "MAX_HEADER_BYTES", "32768");
    assertEquals(4096, set.maxUrlBytes());
    assertEquals(32768, set.maxHeaderBytes());
  }

  @Test
  @DisplayName("MAX_URL_BYTES and MAX_HEADER_BYTES out of range or not numbers are rejected naming the key")
  void badRequestSizeCapsAreRejected() {
    rejected("MAX_URL_BYTES", env("MAX_URL_BYTES", "100"));
    rejected("MAX_URL_BYTES", env("MAX_URL_BYTES", "8k"));
    rejected("MAX_URL_BYTES", env("MAX_URL_BYTES", "70000"));
    rejected("MAX_HEADER_BYTES", env("MAX_HEADER_BYTES", "0"));
    rejected("MAX_HEADER_BYTES", env("MAX_HEADER_BYTES", "2000000"));
  }

  @Test
  @DisplayName("LOG_FORMAT is text by default, may be json, and anything else is rejected naming the key")
  void logFormat() {
    assertEquals("text", load().logFormat());
    assertEquals("json", load("LOG_FORMAT", "JSON").logFormat());
    rejected("LOG_FORMAT", env("LOG_FORMAT", "xml"));
  }

  @Test
  @DisplayName("ADMIN_TOKEN is unset by default, kept when 16..512 visible characters, and otherwise rejected without repeating it")
  void adminToken() {
    assertNull(load().adminToken());
    assertEquals("0123456789abcdef", load("ADMIN_TOKEN", "0123456789abcdef").adminToken());
    assertNull(load("ADMIN_TOKEN", "   ").adminToken(), "blank is unset");
    ConfigException tooShort = rejected("ADMIN_TOKEN", env("ADMIN_TOKEN", "short-secret-15"));
    assertFalse(tooShort.getMessage().contains("short-secret-15"), "the message never repeats the token: " + tooShort.getMessage());
    rejected("ADMIN_TOKEN", env("ADMIN_TOKEN", "has a space inside it"));
    rejected("ADMIN_TOKEN", env("ADMIN_TOKEN", "x".repeat(513)));
    rejected("ADMIN_TOKEN", env("ADMIN_TOKEN", "non-ascii-\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"));
  }

  @Test
  @DisplayName("POLL_LEASE_MS is 5000 by default, may be set from 100 to 600000, and anything else is rejected naming the key")
  void pollLease() {
    assertEquals(5000, load().pollLeaseMs());
    assertEquals(250, load("POLL_LEASE_MS", "250").pollLeaseMs());
    rejected("POLL_LEASE_MS", env("POLL_LEASE_MS", "99"));
    rejected("POLL_LEASE_MS", env("POLL_LEASE_MS", "5s"));
  }
}
