package io.sobranie.realtime.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The command line: {@code SCENARIO [--name value]...}, typed, with the defaults of {@link #USAGE}. */
record Options(
    String scenario,
    List<String> urls,
    String secret,
    int connections,
    int subscriptions,
    int rooms,
    int users,
    double durationSeconds,
    double rate,
    List<String> bind,
    long serverPid,
    String jsonOut,
    int threads,
    int concurrency,
    String step,
    int maxConnections,
    double drainSeconds,
    String channel,
    String userPrefix,
    double connectTimeoutSeconds,
    String startFile) {

  static final String USAGE = """
      usage: java -jar realtime-bench.jar SCENARIO [options]
      scenarios:
        idle       N connections x K subscriptions held for --duration; connect rate, failures, and with
                   --server-pid the server's heap (after GC, via jcmd) and RSS per connection
        broadcast  N subscribers of one channel; a service publishes (POST /realtime/publish) at --rate;
                   publish->receive latency, deliveries/s, losses; --step raises N until p95 > 500 ms
        chat       --rooms R x --users U, each user subscribed to its room and sending 'message' frames;
                   aggregate --rate msg/s spread evenly; latency, losses, errors by code
      options:
        --url ws://127.0.0.1:8080[,ws://...]  gateways (connections round-robin; publisher uses the first)
        --secret S           HS256 secret of the server (default: env JWT_SECRET)
        --connections N      (idle, broadcast; default 100)
        --subscriptions K    per idle connection (default 2)
        --rooms R --users U  chat shape (default 10 x 10); idle spreads its channels over R (default 1000)
        --duration SECONDS   hold / publish time per run or step (default 10)
        --rate MSG_PER_S     broadcast: messages/s on the channel (default 20); chat: aggregate (default 100)
        --bind 127.0.0.2,127.0.0.3   local addresses, round-robin (~28k connections per address)
        --server-pid PID     read server CPU (/proc/PID/stat), RSS, and heap via jcmd
        --json-out FILE      also write the JSON report there
        --threads T          tool event loops (default 2)
        --concurrency C      handshakes in flight (default 200)
        --step x1.5|+N       broadcast: raise N by a factor or a step after each passing run
        --max-connections M  upper bound of --step (default 50000)
        --drain SECONDS      wait for in-flight deliveries after sending (default 5)
        --channel NAME       broadcast channel (default post:bench-<prefix>)
        --user-prefix P      user ids are P + index (default b<pid>-; distinct per tool process)
        --connect-timeout S  per connection, up to subscribed (default 20)
        --start-file PATH    broadcast: once connected, print 'ready' and publish only when PATH exists
                             (several tool processes start publishing together; at most 30 min wait)
      The server's per-user budget MESSAGES_PER_MINUTE (default 100) applies to chat 'message' frames:
      raise it on the server for chat runs above ~1.5 msg/s per user. REST publish is not rate limited.
      Output: a readable summary, then exactly one line of JSON starting with {"scenario":
      """;

  static Options parse(String[] args) {
    if (args.length == 0 || args[0].startsWith("-")) {
      throw new IllegalArgumentException("missing SCENARIO");
    }
    String scenario = args[0];
    if (!List.of("idle", "broadcast", "chat").contains(scenario)) {
      throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
    }
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value at '" + args[i] + "'");
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    List<String> known = List.of("url", "secret", "connections", "subscriptions", "rooms", "users", "duration", "rate",
        "bind", "server-pid", "json-out", "threads", "concurrency", "step", "max-connections", "drain", "channel",
        "user-prefix", "connect-timeout", "start-file");
    for (String name : o.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    String secret = o.getOrDefault("secret", System.getenv("JWT_SECRET"));
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("--secret (or env JWT_SECRET) is required to mint tokens");
    }
    String prefix = o.getOrDefault("user-prefix", "b" + ProcessHandle.current().pid() + "-");
    String step = o.get("step");
    if (step != null && !step.matches("x\\d+(\\.\\d+)?|\\+\\d+")) {
      throw new IllegalArgumentException("--step must look like x1.5 or +2000");
    }
    return new Options(scenario,
        list(o.getOrDefault("url", "ws://127.0.0.1:8080")),
        secret,
        positive(o, "connections", 100),
        positive(o, "subscriptions", 2),
        positive(o, "rooms", scenario.equals("idle") ? 1000 : 10),
        positive(o, "users", 10),
        seconds(o, "duration", 10),
        number(o, "rate", scenario.equals("chat") ? 100 : 20),
        list(o.getOrDefault("bind", "")),
        (long) number(o, "server-pid", -1),
        o.get("json-out"),
        positive(o, "threads", 2),
        positive(o, "concurrency", 200),
        step,
        positive(o, "max-connections", 50_000),
        seconds(o, "drain", 5),
        o.getOrDefault("channel", "post:bench-" + prefix.replaceAll("[^A-Za-z0-9_\\-.@]", "")),
        prefix,
        seconds(o, "connect-timeout", 20),
        o.get("start-file"));
  }

  private static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }

  private static int positive(Map<String, String> o, String name, int fallback) {
    double v = number(o, name, fallback);
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("--" + name + " must be a positive integer");
    }
    return (int) v;
  }

  private static double number(Map<String, String> o, String name, double fallback) {
    String v = o.get(name);
    try {
      return v == null ? fallback : Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }

  /** Seconds, with an optional unit: {@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}. */
  private static double seconds(Map<String, String> o, String name, double fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      if (v.endsWith("ms")) {
        return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
      }
      if (v.endsWith("m")) {
        return Double.parseDouble(v.substring(0, v.length() - 1)) * 60;
      }
      return Double.parseDouble(v.endsWith("s") ? v.substring(0, v.length() - 1) : v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a duration like 30s, got '" + v + "'");
    }
  }

  /** The HTTP base of the first gateway, for REST. */
  String httpBase() {
    return urls.get(0).replaceFirst("^ws", "http");
  }
}
