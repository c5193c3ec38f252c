package io.sobranie.realtime.common.store;

import java.util.List;
import java.util.Objects;

/**
 * Which Redis the store uses and how it is arranged ({@code REDIS_MODE}, {@code REDIS_URL},
 * {@code REDIS_MASTER_NAME}; validated by the config loader):
 * <ul>
 *   <li>{@link Mode#STANDALONE}: one server, {@code urls} has one entry;</li>
 *   <li>{@link Mode#SENTINEL}: {@code urls} are Sentinels, asked for the current primary of
 *       {@code masterName}; after a failover new connections go to the promoted replica;</li>
 *   <li>{@link Mode#CLUSTER}: {@code urls} are some nodes of a Redis Cluster (any reachable one
 *       tells the client the slot map); commands are routed by the hash slot of their keys.</li>
 * </ul>
 *
 * @param masterName the Sentinel name of the primary; null unless {@code mode} is SENTINEL
 */
public record RedisServers(Mode mode, List<String> urls, String masterName) {
  /** How the Redis servers are arranged, named as in {@code REDIS_MODE}. */
  public enum Mode {
    STANDALONE, SENTINEL, CLUSTER
  }

  public RedisServers {
    Objects.requireNonNull(mode, "mode");
    urls = List.copyOf(urls);
    if (urls.isEmpty() || (mode == Mode.STANDALONE && urls.size() > 1)) {
      throw new IllegalArgumentException("standalone takes one Redis URL, sentinel and cluster at least one: " + urls.size());
    }
    if ((mode == Mode.SENTINEL) != (masterName != null)) {
      throw new IllegalArgumentException("a master name goes with, and only with, Sentinel mode");
    }
  }

  /** One standalone server at {@code url}, e.g. {@code redis://127.0.0.1:6379}. */
  public static RedisServers standalone(String url) {
    return new RedisServers(Mode.STANDALONE, List.of(url), null);
  }
}
