package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sentinel mode: listens on every Sentinel of {@code REDIS_URL} to the failover of our primary and
 * moves the store's {@link RedisLanes lanes} with it:
 * <ul>
 *   <li>{@code +selected-slave} (the Sentinel leading a failover chose the replica; it sends
 *       {@code REPLICAOF NO ONE} on its next tick, ~100 ms later): the lanes let go of the current
 *       primary and refuse commands, so no write reaches it after its replica was promoted — such a
 *       write would be acknowledged and then lost. At most {@value #HOLD_MS} ms, in case the end
 *       of the failover is never heard;</li>
 *   <li>{@code +switch-master} (the new primary): the lanes reconnect, once the client's cached
 *       address (older than the switch) has expired;</li>
 *   <li>{@code -failover-abort-slave-timeout}: the primary stays; the lanes reconnect at once.</li>
 * </ul>
 * Without this the lanes would stay on the old primary until Sentinel demotes it — about ten
 * seconds after a {@code SENTINEL FAILOVER} (measured with Redis 7.0) — and every write it
 * acknowledged meanwhile would be lost. Every listed Sentinel is watched: only the leader of a
 * failover sends the first two events at once (the others learn the switch from its hello messages,
 * up to two seconds later); an announcement of the primary already known is ignored. A watch that
 * is reconnecting misses what happens meanwhile (then the old primary's demotion ends the lanes).
 * Each Sentinel gets a connection of its own (pub/sub needs one), reopened a second after it ends.
 */
final class SentinelWatch {
  private static final Logger LOG = Logger.getLogger(SentinelWatch.class.getName());
  private static final String SELECTED = "+selected-slave";
  private static final String SWITCHED = "+switch-master";
  private static final String ABORTED = "-failover-abort-slave-timeout";
  /** Longest refusal after {@code +selected-slave}; a failover normally switches within about a second. */
  static final long HOLD_MS = 5000;
  private static final long RETRY_MS = 1000;
  private static final long SUBSCRIBE_TIMEOUT_MS = 5000;

  private final Vertx vertx;
  private final String masterName;
  private final RedisLanes lanes;
  private final long switchDelayMs;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private String primary;
  private volatile boolean closed;

  /**
   * @param options       the store's Sentinel options (their endpoints are the Sentinels)
   * @param switchDelayMs how long after a switch the lanes wait before they reconnect
   */
  SentinelWatch(Vertx vertx, RedisOptions options, RedisLanes lanes, long switchDelayMs) {
    this.vertx = vertx;
    this.masterName = options.getMasterName();
    this.lanes = lanes;
    this.switchDelayMs = switchDelayMs;
    for (String url : options.getEndpoints()) {
      subscriptions.add(new Subscription(url, Redis.createClient(vertx, new RedisOptions(options)
          .setType(RedisClientType.STANDALONE).setEndpoints(new ArrayList<>(List.of(url))).setMaxPoolSize(1))));
    }
  }

  /** Subscribes on every Sentinel; succeeds once one has confirmed (the others keep trying). */
  Future<Void> start() {
    List<Future<Void>> started = new ArrayList<>();
    for (Subscription subscription : subscriptions) {
      started.add(subscription.start().onFailure(e -> {
        LOG.log(Level.WARNING, "Sentinel watch cannot subscribe on " + subscription.url + "; retrying every "
            + RETRY_MS + " ms", e);
        subscription.retryLater();
      }));
    }
    return Future.any(started).mapEmpty();
  }

  /** One event of a Sentinel's failover channels, {@code details} its text. */
  private synchronized void onEvent(String channel, String details) {
    String[] fields = details.split(" ");
    switch (channel) {
      case SELECTED -> {
        // "slave <ip:port> <ip> <port> @ <master name> <master ip> <master port>"
        int at = List.of(fields).indexOf("@");
        if (at >= 0 && at + 1 < fields.length && fields[at + 1].equals(masterName)) {
          LOG.warning("Sentinel failover master=" + masterName + ": replica " + fields[1] + " chosen; writes wait");
          lanes.reopenAfter(HOLD_MS);
        }
      }
      case SWITCHED -> {
        // "<master name> <old ip> <old port> <new ip> <new port>"
        String now = fields.length == 5 && fields[0].equals(masterName) ? fields[3] + ":" + fields[4] : null;
        if (now != null && !now.equals(primary)) {
          primary = now;
          LOG.warning("Sentinel failover master=" + masterName + ": the primary is now " + now);
          lanes.reopenAfter(switchDelayMs);
        }
      }
      case ABORTED -> {
        // "master <name> <ip> <port>"
        if (fields.length >= 2 && fields[1].equals(masterName)) {
          LOG.warning("Sentinel failover master=" + masterName + " abandoned; writes resume");
          lanes.reopenAfter(0);
        }
      }
      default -> {
        // another channel: not subscribed to
      }
    }
  }

  Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = new ArrayList<>();
    subscriptions.forEach(subscription -> closing.add(subscription.close()));
    return Future.join(closing).mapEmpty();
  }

  /** The subscription on one Sentinel. */
  private final class Subscription {
    private final String url;
    private final Redis client;
    private volatile RedisConnection connection;

    Subscription(String url, Redis client) {
      this.url = url.replaceFirst("//[^@/]*@", "//");
      this.client = client;
    }

    Future<Void> start() {
      return client.connect().compose(sentinel -> {
        if (closed) {
          return sentinel.close();
        }
        connection = sentinel;
        Promise<Void> subscribed = Promise.promise();
        sentinel.handler(message -> onMessage(message, subscribed));
        sentinel.exceptionHandler(failure -> restart(sentinel, failure));
        sentinel.endHandler(end -> restart(sentinel, null));
        // With RESP3 the confirmation arrives as a push message (see onMessage), with RESP2 as the reply.
        sentinel.send(Request.cmd(Command.SUBSCRIBE).arg(SELECTED).arg(SWITCHED).arg(ABORTED))
            .onSuccess(reply -> subscribed.tryComplete());
        return subscribed.future().timeout(SUBSCRIBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).onFailure(failure -> {
          if (connection == sentinel) {
            connection = null;
            sentinel.close();
          }
        });
      });
    }

    private void onMessage(Response message, Promise<Void> subscribed) {
      if (message == null || message.size() < 3) {
        return;
      }
      String kind = message.get(0).toString();
      if ("subscribe".equalsIgnoreCase(kind)) {
        subscribed.tryComplete();
      } else if ("message".equalsIgnoreCase(kind)) {
        onEvent(message.get(1).toString(), message.get(2).toString());
      }
    }

    private void restart(RedisConnection ended, Throwable failure) {
      if (closed || connection != ended) {
        return;
      }
      connection = null;
      ended.close();
      LOG.log(Level.WARNING, "Sentinel watch connection to " + url + " ended; reconnecting in " + RETRY_MS + " ms", failure);
      retryLater();
    }

    void retryLater() {
      vertx.setTimer(RETRY_MS, t -> {
        if (!closed) {
          start().onFailure(e -> {
            LOG.log(Level.FINE, "Sentinel watch cannot subscribe on " + url + "; retrying", e);
            retryLater();
          });
        }
      });
    }

    Future<Void> close() {
      RedisConnection current = connection;
      connection = null;
      return (current == null ? Future.<Void>succeededFuture() : current.close().otherwiseEmpty())
          .eventually(client::close);
    }
  }
}
