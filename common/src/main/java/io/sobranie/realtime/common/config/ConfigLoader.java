package io.sobranie.realtime.common.config;

import io.sobranie.realtime.common.Ids;
import io.sobranie.realtime.common.channel.ChannelRules;
import io.sobranie.realtime.common.channel.NamespaceRules;
import io.sobranie.realtime.common.channel.Rule;
import io.sobranie.realtime.common.store.HistoryLimits;
import io.sobranie.realtime.common.store.RedisServers;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the {@link RealtimeConfig}: defaults, then the optional JSON file named by
 * {@code CONFIG_FILE} (same key names, plus {@code CHANNELS}), then environment variables.
 * Every value is validated; a bad one throws {@link ConfigException} naming its key.
 * Reads the file synchronously: call it before Vert.x starts, never on an event loop.
 */
public final class ConfigLoader {
  public static final String CONFIG_FILE = "CONFIG_FILE";
  public static final String CHANNELS = "CHANNELS";
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_\\-.@]{1,64}");
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_\\-.]{1,64}");
  /** The shortest {@code ADMIN_TOKEN} accepted. */
  public static final int MIN_ADMIN_TOKEN = 16;
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");

  /** Every key the loader knows, with its default ("" = unset). */
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("HTTP_PORT", "8080");
    DEFAULTS.put("HTTP_HOST", "0.0.0.0");
    DEFAULTS.put("ROLES", "gateway,chat,presence,notification");
    DEFAULTS.put("NODE_ID", "");
    DEFAULTS.put("DEV_MODE", "false");
    DEFAULTS.put("JWT_SECRET", "");
    DEFAULTS.put("JWT_PUBLIC_KEY", "");
    DEFAULTS.put("JWT_JWKS_URL", "");
    DEFAULTS.put("JWT_ISSUER", "");
    DEFAULTS.put("JWT_AUDIENCE", "");
    DEFAULTS.put("JWT_LEEWAY_SECONDS", "0");
    DEFAULTS.put("REDIS_URL", "");
    DEFAULTS.put("REDIS_MODE", "standalone");
    DEFAULTS.put("REDIS_MASTER_NAME", "");
    DEFAULTS.put("REDIS_PREFIX", "rt:");
    DEFAULTS.put("CLUSTER", "false");
    DEFAULTS.put("CLUSTER_NAME", "sobranie-realtime");
    DEFAULTS.put("CLUSTER_MEMBERS", "127.0.0.1");
    DEFAULTS.put("CLUSTER_PORT", "5701");
    DEFAULTS.put("CLUSTER_HOST", "127.0.0.1");
    DEFAULTS.put("CLUSTER_EVENTBUS_PORT", "0");
    DEFAULTS.put("CLUSTER_DISCOVERY", "members");
    DEFAULTS.put("CLUSTER_SERVICE_DNS", "");
    DEFAULTS.put("MAX_CONNECTIONS", "10000");
    DEFAULTS.put("MAX_FRAME_BYTES", "65536");
    DEFAULTS.put("MAX_URL_BYTES", "8192");
    DEFAULTS.put("MAX_HEADER_BYTES", "16384");
    DEFAULTS.put("TRUSTED_PROXIES", "");
    DEFAULTS.put("LOG_FORMAT", "text");
    DEFAULTS.put("MESSAGES_PER_MINUTE", "100");
    DEFAULTS.put("SIGNALS_PER_MINUTE", "600");
    DEFAULTS.put("PRESENCE_GRACE_MS", "1000");
    DEFAULTS.put("BLOB_DIR", "");
    DEFAULTS.put("MAX_BLOB_BYTES", String.valueOf(10 * 1024 * 1024));
    DEFAULTS.put("WS_COMPRESSION", "false");
    DEFAULTS.put("HEARTBEAT_MS", "25000");
    DEFAULTS.put("HISTORY_SIZE", "1000");
    DEFAULTS.put("HISTORY_TTL_SECONDS", "86400");
    DEFAULTS.put("ALLOWED_ORIGINS", "");
    DEFAULTS.put("TRANSPORTS", "websocket,sse,poll");
    DEFAULTS.put("SHUTDOWN_DRAIN_MS", "1000");
    DEFAULTS.put("OUTBOUND_BUDGET_BYTES", String.valueOf(1024 * 1024));
    DEFAULTS.put("SLOW_CONSUMER_MS", "10000");
    DEFAULTS.put("OUTBOUND_LIMIT_BYTES", "");
    DEFAULTS.put("SUBSCRIBES_PER_MINUTE", "600");
    DEFAULTS.put("MAX_UPLOADS", "16");
    DEFAULTS.put("MAX_UPLOAD_BYTES_IN_FLIGHT", String.valueOf(64 * 1024 * 1024));
    DEFAULTS.put("HEADER_TIMEOUT_MS", "10000");
    DEFAULTS.put("BODY_IDLE_TIMEOUT_MS", "10000");
    DEFAULTS.put("MAX_PENDING_CONNECTIONS", "1000");
    DEFAULTS.put("MANAGEMENT_PORT", "");
    DEFAULTS.put("SHUTDOWN_DEADLINE_MS", "10000");
    DEFAULTS.put("POLL_LEASE_MS", "5000");
    DEFAULTS.put("ADMIN_TOKEN", "");
    DEFAULTS.put(CHANNELS, "");
  }

  private final Map<String, String> values = new HashMap<>(DEFAULTS);

  private ConfigLoader() {
  }

  /** Loads from the process environment (and the file it names). */
  public static RealtimeConfig fromEnvironment() {
    return load(System.getenv());
  }

  /** Loads from the given variables (and the file {@code CONFIG_FILE} names among them). */
  public static RealtimeConfig load(Map<String, String> env) {
    ConfigLoader loader = new ConfigLoader();
    String file = env.get(CONFIG_FILE);
    if (file != null && !file.isBlank()) {
      loader.mergeFile(Path.of(file));
    }
    for (String key : DEFAULTS.keySet()) {
      String value = env.get(key);
      if (value != null) {
        loader.values.put(key, value.trim());
      }
    }
    return loader.build();
  }

  private void mergeFile(Path path) {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(path));
    } catch (IOException e) {
      throw new ConfigException(CONFIG_FILE, "cannot read " + path + " (" + e.getMessage() + ")");
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(CONFIG_FILE, path + " is not a JSON object");
    }
    for (Map.Entry<String, Object> entry : json) {
      if (!DEFAULTS.containsKey(entry.getKey())) {
        throw new ConfigException(CONFIG_FILE, "unknown key '" + entry.getKey() + "' in " + path
            + " (keys are the environment variable names, e.g. HTTP_PORT, plus CHANNELS)");
      }
      Object value = entry.getValue();
      String text = value instanceof JsonArray array
          ? String.join(",", array.stream().map(String::valueOf).toList())
          : value instanceof JsonObject object ? object.encode() : String.valueOf(value);
      values.put(entry.getKey(), text);
    }
  }

  private RealtimeConfig build() {
    boolean devMode = bool("DEV_MODE");
    String secret = optional("JWT_SECRET");
    String publicKey = optional("JWT_PUBLIC_KEY");
    String jwksUrl = optional("JWT_JWKS_URL");
    boolean generated = false;
    if (secret == null && publicKey == null && jwksUrl == null) {
      if (!devMode) {
        throw new ConfigException("JWT_SECRET", "not set: set JWT_SECRET (or JWT_PUBLIC_KEY / JWT_JWKS_URL), "
            + "or DEV_MODE=true to generate a secret for local use");
      }
      secret = Ids.secret(32);
      generated = true;
    }
    if (jwksUrl != null) {
      url("JWT_JWKS_URL", jwksUrl, "http", "https");
    }
    String redisUrl = optional("REDIS_URL");
    RedisServers redisServers = redisServers(redisUrl);
    boolean cluster = bool("CLUSTER");
    if (cluster && redisUrl == null) {
      throw new ConfigException("CLUSTER", "CLUSTER=true needs REDIS_URL: the in-memory store is per node");
    }
    int historySize = integer("HISTORY_SIZE", 1, 1_000_000);
    long historyTtl = integer("HISTORY_TTL_SECONDS", 1, 365 * 86400);
    String nodeId = optional("NODE_ID");
    if (nodeId == null) {
      nodeId = "node-" + Ids.shortRandom().substring(0, 6);
    } else if (!NODE_ID.matcher(nodeId).matches()) {
      throw new ConfigException("NODE_ID", "must be 1..64 characters of [A-Za-z0-9_-.], got '" + nodeId + "'");
    }
    int outboundBudget = integer("OUTBOUND_BUDGET_BYTES", 4096, 256 * 1024 * 1024);
    int maxBlobBytes = integer("MAX_BLOB_BYTES", 1, Integer.MAX_VALUE);
    List<String> origins = list("ALLOWED_ORIGINS");
    if (origins.isEmpty() && devMode) {
      origins = List.of("*");
    }
    return new RealtimeConfig(
        integer("HTTP_PORT", 0, 65535),
        required("HTTP_HOST"),
        roles(),
        nodeId,
        devMode,
        secret,
        generated,
        publicKey,
        jwksUrl,
        optional("JWT_ISSUER"),
        optional("JWT_AUDIENCE"),
        integer("JWT_LEEWAY_SECONDS", 0, 300),
        redisUrl,
        redisServers,
        redisPrefix(),
        cluster,
        clusterName(),
        list("CLUSTER_MEMBERS"),
        integer("CLUSTER_PORT", 1, 65535),
        required("CLUSTER_HOST"),
        integer("CLUSTER_EVENTBUS_PORT", 0, 65535),
        clusterServiceDns(),
        integer("MAX_CONNECTIONS", 1, 1_000_000),
        integer("MAX_FRAME_BYTES", 1024, 16 * 1024 * 1024),
        integer("MAX_URL_BYTES", 1024, 65536),
        integer("MAX_HEADER_BYTES", 1024, 1024 * 1024),
        trustedProxies(),
        logFormat(),
        integer("MESSAGES_PER_MINUTE", 1, 1_000_000),
        integer("SIGNALS_PER_MINUTE", 1, 1_000_000),
        integer("PRESENCE_GRACE_MS", 0, 600_000),
        blobDir(),
        maxBlobBytes,
        bool("WS_COMPRESSION"),
        integer("HEARTBEAT_MS", 100, 3_600_000),
        historySize,
        historyTtl,
        origins,
        transports(),
        integer("SHUTDOWN_DRAIN_MS", 0, 300_000),
        outboundBudget,
        integer("SLOW_CONSUMER_MS", 100, 600_000),
        outboundLimit(outboundBudget),
        integer("SUBSCRIBES_PER_MINUTE", 1, 1_000_000),
        integer("MAX_UPLOADS", 1, 100_000),
        uploadBytesInFlight(maxBlobBytes),
        integer("HEADER_TIMEOUT_MS", 100, 600_000),
        integer("BODY_IDLE_TIMEOUT_MS", 100, 600_000),
        integer("MAX_PENDING_CONNECTIONS", 1, 1_000_000),
        optional("MANAGEMENT_PORT") == null ? -1 : integer("MANAGEMENT_PORT", 0, 65535),
        integer("SHUTDOWN_DEADLINE_MS", 100, 600_000),
        integer("POLL_LEASE_MS", 100, 600_000),
        adminToken(),
        new ChannelRules(channels(historySize, historyTtl), new HistoryLimits(historySize, historyTtl)));
  }

  /**
   * {@code OUTBOUND_LIMIT_BYTES}: the hard cap of unsent bytes per connection, closed at once past
   * it (default 4 × {@code OUTBOUND_BUDGET_BYTES}); at least the budget.
   */
  private int outboundLimit(int budget) {
    if (optional("OUTBOUND_LIMIT_BYTES") == null) {
      return (int) Math.min(Integer.MAX_VALUE, 4L * budget);
    }
    int limit = integer("OUTBOUND_LIMIT_BYTES", 4096, Integer.MAX_VALUE);
    if (limit < budget) {
      throw new ConfigException("OUTBOUND_LIMIT_BYTES", "must be at least OUTBOUND_BUDGET_BYTES (" + budget + "), got " + limit);
    }
    return limit;
  }

  /**
   * {@code ADMIN_TOKEN}: unset, only service tokens open the admin endpoints. Set, at least
   * {@value #MIN_ADMIN_TOKEN} visible ASCII characters (it travels in an {@code Authorization}
   * header, and a short one could be guessed). Messages never repeat it.
   */
  private String adminToken() {
    String token = optional("ADMIN_TOKEN");
    if (token == null) {
      return null;
    }
    if (token.length() < MIN_ADMIN_TOKEN || token.length() > 512 || !token.matches("[\\x21-\\x7E]+")) {
      throw new ConfigException("ADMIN_TOKEN", "must be " + MIN_ADMIN_TOKEN + "..512 visible ASCII characters without spaces "
          + "(e.g. openssl rand -base64 32), got " + token.length() + " characters");
    }
    return token;
  }

  /** {@code MAX_UPLOAD_BYTES_IN_FLIGHT}: upload bytes a node accepts at once; at least one whole upload. */
  private long uploadBytesInFlight(int maxBlobBytes) {
    int inFlight = integer("MAX_UPLOAD_BYTES_IN_FLIGHT", 1, Integer.MAX_VALUE);
    if (inFlight < maxBlobBytes) {
      throw new ConfigException("MAX_UPLOAD_BYTES_IN_FLIGHT", "must be at least MAX_BLOB_BYTES (" + maxBlobBytes + "), got " + inFlight);
    }
    return inFlight;
  }

  /** {@code BLOB_DIR}, or a directory under the system temp dir named for this node's process. */
  private String blobDir() {
    String dir = optional("BLOB_DIR");
    return dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"), "sobranie-blobs").toString();
  }

  private String optional(String key) {
    String value = values.get(key);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private String required(String key) {
    String value = optional(key);
    if (value == null) {
      throw new ConfigException(key, "must not be empty");
    }
    return value;
  }

  private int integer(String key, int min, int max) {
    String text = required(key);
    try {
      int value = Integer.parseInt(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(key, "must be an integer from " + min + " to " + max + ", got '" + text + "'");
  }

  private boolean bool(String key) {
    String text = required(key).toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ConfigException(key, "must be true or false, got '" + text + "'");
    };
  }

  private List<String> list(String key) {
    String text = optional(key);
    if (text == null) {
      return List.of();
    }
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static void url(String key, String text, String... schemes) {
    try {
      URI uri = new URI(text);
      if (uri.getHost() != null && Arrays.asList(schemes).contains(uri.getScheme())) {
        return;
      }
    } catch (Exception ignored) {
      // reported below
    }
    throw new ConfigException(key, "must be a " + String.join(" or ", schemes) + " URL with a host, got '" + text + "'");
  }

  /** {@code TRANSPORTS}: which client transports the gateway serves (others are refused with 503). */
  private Set<String> transports() {
    Set<String> transports = new java.util.LinkedHashSet<>(list("TRANSPORTS"));
    for (String transport : transports) {
      if (!List.of("websocket", "sse", "poll").contains(transport)) {
        throw new ConfigException("TRANSPORTS", "unknown transport '" + transport + "' (expected websocket, sse, poll)");
      }
    }
    if (transports.isEmpty()) {
      throw new ConfigException("TRANSPORTS", "must name at least one of websocket, sse, poll");
    }
    return transports;
  }

  /** {@code LOG_FORMAT}: {@code text} or {@code json}. */
  private String logFormat() {
    String format = required("LOG_FORMAT").toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new ConfigException("LOG_FORMAT", "must be text or json, got '" + format + "'");
    }
    return format;
  }

  /** {@code TRUSTED_PROXIES}: comma list of IPs and CIDR ranges; empty trusts nobody. */
  private TrustedProxies trustedProxies() {
    try {
      return TrustedProxies.parse(list("TRUSTED_PROXIES"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("TRUSTED_PROXIES", e.getMessage() + " (expected a comma list of IPs and CIDR ranges, e.g. 10.0.0.0/8,::1)");
    }
  }

  /**
   * {@code CLUSTER_DISCOVERY}: {@code members} joins through the {@code CLUSTER_MEMBERS} list;
   * {@code kubernetes} finds members by resolving {@code CLUSTER_SERVICE_DNS} (a headless Service).
   */
  private String clusterServiceDns() {
    String discovery = required("CLUSTER_DISCOVERY");
    String dns = optional("CLUSTER_SERVICE_DNS");
    switch (discovery) {
      case "members":
        return null;
      case "kubernetes":
        if (dns == null || !HOST_NAME.matcher(dns).matches()) {
          throw new ConfigException("CLUSTER_SERVICE_DNS", "CLUSTER_DISCOVERY=kubernetes needs the headless Service's "
              + "DNS name (e.g. realtime-cluster.realtime.svc.cluster.local), got '" + (dns == null ? "" : dns) + "'");
        }
        return dns;
      default:
        throw new ConfigException("CLUSTER_DISCOVERY", "must be 'members' or 'kubernetes', got '" + discovery + "'");
    }
  }

  /** {@code CLUSTER_NAME}: only nodes with the same name form a cluster. */
  private String clusterName() {
    String name = required("CLUSTER_NAME");
    if (!name.matches("[A-Za-z0-9_.\\-]{1,64}")) {
      throw new ConfigException("CLUSTER_NAME", "must be 1..64 characters of [A-Za-z0-9_.-], got '" + name + "'");
    }
    return name;
  }

  /**
   * {@code REDIS_URL} with {@code REDIS_MODE} and {@code REDIS_MASTER_NAME}: one URL for a standalone
   * Redis; for {@code sentinel} a comma list of Sentinels plus the name they monitor the primary
   * under; for {@code cluster} a comma list of some cluster nodes. Null without {@code REDIS_URL}
   * (the in-memory store). Messages never repeat a URL's credentials.
   */
  private RedisServers redisServers(String redisUrl) {
    String modeName = required("REDIS_MODE").toLowerCase(Locale.ROOT);
    RedisServers.Mode mode = switch (modeName) {
      case "standalone" -> RedisServers.Mode.STANDALONE;
      case "sentinel" -> RedisServers.Mode.SENTINEL;
      case "cluster" -> RedisServers.Mode.CLUSTER;
      default -> throw new ConfigException("REDIS_MODE", "must be standalone, sentinel or cluster, got '" + modeName + "'");
    };
    String masterName = optional("REDIS_MASTER_NAME");
    if (masterName != null && mode != RedisServers.Mode.SENTINEL) {
      throw new ConfigException("REDIS_MASTER_NAME", "is only used with REDIS_MODE=sentinel (REDIS_MODE is " + modeName + ")");
    }
    if (redisUrl == null) {
      if (mode != RedisServers.Mode.STANDALONE) {
        throw new ConfigException("REDIS_URL", "REDIS_MODE=" + modeName + " needs REDIS_URL: a comma list of the "
            + (mode == RedisServers.Mode.SENTINEL ? "Sentinels" : "cluster nodes") + ", e.g. redis://10.0.0.5:"
            + (mode == RedisServers.Mode.SENTINEL ? "26379" : "6379"));
      }
      return null;
    }
    List<String> urls = list("REDIS_URL");
    if (urls.isEmpty()) {
      throw new ConfigException("REDIS_URL", "names no URL, got '" + redisUrl + "'");
    }
    for (String url : urls) {
      redisUrl(url, mode);
    }
    if (mode == RedisServers.Mode.STANDALONE && urls.size() > 1) {
      throw new ConfigException("REDIS_URL", "a standalone Redis takes one URL, got " + urls.size()
          + " (set REDIS_MODE=sentinel for a list of Sentinels, or REDIS_MODE=cluster for cluster nodes)");
    }
    if (urls.stream().map(url -> url.startsWith("rediss:")).distinct().count() > 1) {
      throw new ConfigException("REDIS_URL", "mixes redis:// and rediss:// URLs: TLS is on for all servers or for none");
    }
    if (mode == RedisServers.Mode.SENTINEL) {
      if (masterName == null) {
        throw new ConfigException("REDIS_MASTER_NAME", "REDIS_MODE=sentinel needs the name the Sentinels monitor the "
            + "primary under (the <name> of 'sentinel monitor <name> <ip> <port> <quorum>')");
      }
      if (!masterName.matches("[A-Za-z0-9_.:\\-]{1,128}")) {
        throw new ConfigException("REDIS_MASTER_NAME", "must be 1..128 characters of [A-Za-z0-9_.:-], got '" + masterName + "'");
      }
    }
    return new RedisServers(mode, urls, masterName);
  }

  /** One URL of {@code REDIS_URL}: {@code redis[s]://[user:password@]host[:port][/db]}; a cluster has only db 0. */
  private static void redisUrl(String text, RedisServers.Mode mode) {
    String shown = text.replaceFirst("//[^@/]*@", "//…@");
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException("REDIS_URL", "is not a URL: '" + shown + "'");
    }
    if (!List.of("redis", "rediss").contains(uri.getScheme()) || uri.getHost() == null) {
      throw new ConfigException("REDIS_URL", "must be redis:// or rediss:// URLs with a host, e.g. redis://127.0.0.1:6379, got '"
          + shown + "'");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new ConfigException("REDIS_URL", "port must be from 1 to 65535, got '" + shown + "'");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!path.isEmpty() && !path.matches("/\\d{0,5}")) {
      throw new ConfigException("REDIS_URL", "the path may only be a database number (/0, /1, …), got '" + shown + "'");
    }
    if (mode == RedisServers.Mode.CLUSTER && path.matches("/0*[1-9]\\d*")) {
      throw new ConfigException("REDIS_URL", "a Redis Cluster has only database 0, got '" + shown + "'");
    }
  }

  /** {@code REDIS_PREFIX}: what every key starts with, so deployments can share a Redis. */
  private String redisPrefix() {
    String prefix = required("REDIS_PREFIX");
    if (!prefix.matches("[A-Za-z0-9_:.\\-]{1,64}")) {
      throw new ConfigException("REDIS_PREFIX", "must be 1..64 characters of [A-Za-z0-9_:.-], got '" + prefix + "'");
    }
    return prefix;
  }

  private Set<Role> roles() {
    List<String> names = list("ROLES");
    if (names.isEmpty()) {
      throw new ConfigException("ROLES", "must name at least one of gateway, chat, presence, notification");
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names) {
      if (name.equalsIgnoreCase("all")) {
        roles.addAll(EnumSet.allOf(Role.class));
        continue;
      }
      try {
        roles.add(Role.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ROLES", "unknown role '" + name + "' (expected gateway, chat, presence, notification or all)");
      }
    }
    return roles;
  }

  /** The default namespace table, patched per namespace by {@code CHANNELS} (a JSON object). */
  private Map<String, NamespaceRules> channels(int historySize, long historyTtl) {
    Map<String, NamespaceRules> table = new HashMap<>(ChannelRules.defaults(historySize, historyTtl));
    String text = optional(CHANNELS);
    if (text == null) {
      return table;
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(CHANNELS, "must be a JSON object of namespace → rules");
    }
    for (String namespace : json.fieldNames()) {
      String key = CHANNELS + "." + namespace;
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new ConfigException(key, "invalid namespace name");
      }
      if (!(json.getValue(namespace) instanceof JsonObject patch)) {
        throw new ConfigException(key, "must be an object with subscribe, publish, historySize, historyTtlSeconds, presence");
      }
      NamespaceRules base = table.getOrDefault(namespace,
          new NamespaceRules(Rule.DENY, Rule.DENY, historySize, historyTtl, false));
      table.put(namespace, patch(key, base, patch));
    }
    return table;
  }

  private static NamespaceRules patch(String key, NamespaceRules base, JsonObject patch) {
    List<String> unknown = new ArrayList<>(patch.fieldNames());
    unknown.removeAll(List.of("subscribe", "publish", "historySize", "historyTtlSeconds", "presence"));
    if (!unknown.isEmpty()) {
      throw new ConfigException(key, "unknown field(s) " + unknown);
    }
    try {
      return new NamespaceRules(
          patch.containsKey("subscribe") ? Rule.parse(String.valueOf(patch.getValue("subscribe"))) : base.subscribe(),
          patch.containsKey("publish") ? Rule.parse(String.valueOf(patch.getValue("publish"))) : base.publish(),
          positive(key + ".historySize", patch.getValue("historySize"), base.historySize()),
          positive(key + ".historyTtlSeconds", patch.getValue("historyTtlSeconds"), (int) base.historyTtlSeconds()),
          flag(key + ".presence", patch.getValue("presence"), base.presence()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  private static boolean flag(String key, Object value, boolean fallback) {
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    throw new ConfigException(key, "must be true or false, got " + value);
  }

  private static int positive(String key, Object value, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value instanceof Integer i && i > 0) {
      return i;
    }
    throw new ConfigException(key, "must be a positive integer, got " + value);
  }
}
