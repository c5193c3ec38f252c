package io.sobranie.realtime.server;

import io.sobranie.realtime.common.auth.DevTokens;
import io.sobranie.realtime.common.config.ConfigException;
import io.sobranie.realtime.common.config.ConfigLoader;
import io.sobranie.realtime.common.config.RealtimeConfig;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Entry point of the fat jar. {@code java -jar realtime-server.jar} runs a node from the
 * environment (embedded defaults: every role, in-memory store); {@code … token --user X [--ttl S]
 * [--roles a,b]} prints a token signed with the configured secret.
 */
public final class Main {
  static {
    // Before the first logger: keeps logging alive through the graceful shutdown (ServerLogManager).
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ServerLogManager.class.getName());
    }
  }

  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  static final String TOKEN_USAGE = """
      usage: java -jar realtime-server.jar token --user ID [--ttl SECONDS] [--roles a,b]
        Prints a JWT for user ID, signed with the JWT_SECRET in the environment (HS256).
        --ttl    lifetime in seconds (default 3600: one hour)
        --roles  comma list of roles, e.g. service (may publish on user:, post:, creator:, broadcast)""";

  static final String USAGE = """
      usage: java -jar realtime-server.jar            runs a node, configured by environment variables
             java -jar realtime-server.jar token ...  prints a token (token --help)
             java -jar realtime-server.jar --help     prints this
      Settings (environment, or a JSON file named by CONFIG_FILE): JWT_SECRET (or JWT_PUBLIC_KEY /
      JWT_JWKS_URL, or DEV_MODE=true for a generated secret), HTTP_PORT (8080), ROLES (all), REDIS_URL,
      CLUSTER, ... The full list: docs/operations.md, section Configuration.""";

  private Main() {
  }

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    }
    try {
      List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
      if (args.length > 0 && args[0].equals("token")) {
        if (rest.contains("--help") || rest.contains("-h")) {
          System.out.println(TOKEN_USAGE);
          return;
        }
        System.out.println(token(ConfigLoader.fromEnvironment(), rest));
        return;
      }
      if (args.length > 0 && List.of("--help", "-h", "help").contains(args[0])) {
        System.out.println(USAGE);
        return;
      }
      if (args.length > 0) {
        throw new UsageException("unknown command '" + args[0] + "' (try --help)");
      }
      RealtimeConfig config = ConfigLoader.fromEnvironment();
      if (config.logFormat().equals("json")) {
        JsonLogFormatter.install();
      } else {
        TextLogFormatter.install();
      }
      serve(config);
    } catch (ConfigException | UsageException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void serve(RealtimeConfig config) {
    Cluster.vertx(config).onComplete(built -> {
      if (built.failed()) {
        System.err.println("error: cannot join the cluster: " + built.cause().getMessage());
        System.exit(1);
        return;
      }
      serve(built.result(), config);
    });
  }

  private static void serve(Vertx vertx, RealtimeConfig config) {
    RealtimeNode.start(vertx, config).onComplete(started -> {
      if (started.failed()) {
        System.err.println("error: cannot start: " + started.cause().getMessage());
        vertx.close().onComplete(v -> System.exit(1));
        return;
      }
      RealtimeNode node = started.result();
      LOG.info("node=" + config.nodeId() + " roles=" + config.roles() + " store=" + (config.redisUrl() == null ? "memory" : "redis")
          + " cluster=" + config.cluster() + " transport=" + (vertx.isNativeTransportEnabled() ? "native" : "nio")
          + " listening on http://" + config.httpHost() + ":" + node.port());
      System.out.println("Sobranie Realtime listening on port " + node.port() + " (node " + config.nodeId() + ")");
      if (node.managementPort() >= 0) {
        System.out.println("management (health, metrics) on port " + node.managementPort());
      }
      if (config.devMode() && !config.devTokens()) {
        System.out.println("DEV_MODE: a JWT key is configured (JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL), so the dev token "
            + "endpoints are off: they would sign tokens with your real key. Mint tokens with the token command, "
            + "or run DEV_MODE without a key for generated, throwaway ones.");
      }
      if (config.jwtSecretGenerated()) {
        System.out.println("DEV_MODE: generated a JWT secret for this run. A token for user 'dev' (valid 24 h):");
        System.out.println(DevTokens.mint(config.jwtSecret(), "dev", 86_400, List.of()));
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("SIGTERM: shutting down gracefully node=" + config.nodeId());
        try {
          node.shutdown().toCompletionStage().toCompletableFuture().get(config.shutdownDeadlineMs() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          LOG.warning("graceful shutdown did not finish: " + e);
        }
      }, "graceful-shutdown"));
    });
  }

  /** {@code token --user X [--ttl S] [--roles a,b]}. */
  static String token(RealtimeConfig config, List<String> args) {
    Map<String, String> options = options(args, List.of("--user", "--ttl", "--roles"));
    String user = options.get("--user");
    if (user == null || !io.sobranie.realtime.common.auth.Principal.isValidUserId(user)) {
      throw new UsageException("token needs --user with 1..64 characters of [A-Za-z0-9_-.@]");
    }
    long ttl;
    try {
      ttl = Long.parseLong(options.getOrDefault("--ttl", "3600"));
    } catch (NumberFormatException e) {
      throw new UsageException("--ttl must be a number of seconds");
    }
    if (ttl <= 0) {
      throw new UsageException("--ttl must be positive");
    }
    if (config.jwtSecret() == null || config.jwtSecretGenerated()) {
      throw new UsageException("token needs JWT_SECRET (the server's HS256 secret) in the environment");
    }
    String roles = options.getOrDefault("--roles", "");
    return DevTokens.mint(config.jwtSecret(), user, ttl,
        Arrays.stream(roles.split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList());
  }

  private static Map<String, String> options(List<String> args, List<String> known) {
    Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i < args.size(); i += 2) {
      String name = args.get(i);
      if (!known.contains(name) || i + 1 >= args.size()) {
        throw new UsageException(TOKEN_USAGE);
      }
      options.put(name, args.get(i + 1));
    }
    return options;
  }

  /** A command line that cannot be understood. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
