package io.sobranie.realtime.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Sentinel failover under traffic: writers append to one channel through the Sentinel client
 * while the primary is killed with SIGKILL; the Sentinel promotes the replica and the store carries
 * on with it. What is asserted, and why no more:
 * <ul>
 *   <li>appends after the failover succeed and are read back;</li>
 *   <li>every append acknowledged before a {@code WAIT 1} on the old primary (which the replica
 *       confirmed) is in the history with the seq it was acknowledged with: nothing the replica had
 *       is lost;</li>
 *   <li>every append acknowledged after the kill is there with its seq;</li>
 *   <li>the stream keeps its epoch, its seqs are 1..n without a hole, and no message is stored twice
 *       (a writer retries a failed append with the same idempotency key, so an append whose reply was
 *       lost with the primary is not stored again);</li>
 *   <li>an acknowledged append may be missing only if the old primary acknowledged it after that
 *       {@code WAIT} (an ack read up to half the Sentinel's down-after time after the kill is still
 *       the old primary's: no new one exists before down-after has passed): replication is
 *       asynchronous, so the old primary may have acknowledged writes its replica never received.
 *       Their seqs are then given again on the new primary. The test counts them but cannot demand
 *       zero; the operations doc says how to narrow the window.</li>
 * </ul>
 */
class RedisSentinelFailoverTest {
  @RegisterExtension
  static final RedisProcesses REDIS = new RedisProcesses();
  private static final String MASTER = "realtime";
  private static final int WRITERS = 4;
  private static final Duration BOUND = Duration.ofSeconds(30);
  /** Down-after of the Sentinel: no new primary can ack within it, so acks in its first half are the old primary's, read late. */
  private static final long DOWN_AFTER_MS = 1000;
  private static final Duration LATE_REPLIES = Duration.ofMillis(DOWN_AFTER_MS / 2);
  private static RedisProcesses.SentinelSet redis;
  private static Vertx vertx;

  @BeforeAll
  static void startSentinel() {
    redis = REDIS.sentinel(MASTER, DOWN_AFTER_MS);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** One acknowledged append: its message id, the seq and epoch it was given, and when the ack came. */
  private record Ack(String id, long seq, String epoch, long atNanos) {
  }

  /** Appends one message after another, retrying a failed one (same id, same idempotency key) until it is acknowledged. */
  private final class Writer {
    private final int number;
    private final HistoryStore history;
    private final String channel;
    private final Promise<Void> stopped = Promise.promise();
    private volatile boolean stop;

    Writer(int number, HistoryStore history, String channel) {
      this.number = number;
      this.history = history;
      this.channel = channel;
    }

    void write(int index) {
      String id = "w" + number + "-" + index;
      write(id, new MessageDraft(id, "w" + number, null, "\"" + index + "\"", System.currentTimeMillis()), index);
    }

    private void write(String id, MessageDraft draft, int index) {
      if (stop) {
        stopped.tryComplete();
        return;
      }
      history.append(channel, draft, id)
          .onSuccess(result -> {
            synchronized (acks) {
              acks.add(new Ack(id, result.message().seq(), result.epoch(), System.nanoTime()));
            }
            write(index + 1);
          })
          .onFailure(failure -> {
            failures.incrementAndGet();
            vertx.setTimer(50, t -> write(id, draft, index));
          });
    }
  }

  private final List<Ack> acks = new ArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();

  private List<Ack> acks() {
    synchronized (acks) {
      return List.copyOf(acks);
    }
  }

  private long acksAfter(long nanos) {
    return acks().stream().filter(ack -> ack.atNanos() > nanos).count();
  }

  @Test
  @DisplayName("the store survives a SIGKILL of the primary under traffic: acked and replicated appends stay, later appends succeed")
  void storeSurvivesThePrimaryBeingKilledUnderTraffic() throws Exception {
    RedisServers servers = new RedisServers(RedisServers.Mode.SENTINEL, List.of(redis.sentinel().url()), MASTER);
    RedisStore store = RedisStore.connect(vertx, RedisStore.options(servers), "rt:", channel -> new HistoryLimits(100_000, 3600),
        System::currentTimeMillis).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String channel = "chat:failover";
    List<Writer> writers = new ArrayList<>();
    try {
      for (int i = 0; i < WRITERS; i++) {
        Writer writer = new Writer(i, store.history(), channel);
        writers.add(writer);
        vertx.runOnContext(v -> writer.write(0));
      }
      RedisProcesses.waitUntil("200 appends were acknowledged", BOUND, () -> acks().size() >= 200);

      List<Ack> beforeWait = acks();
      assertEquals("1", REDIS.cli(redis.primary().port(), "WAIT", "1", "5000").trim(),
          "the replica confirmed every write made before the WAIT");
      REDIS.kill(redis.primary());
      long killedAt = System.nanoTime();

      RedisProcesses.waitUntil("the Sentinel names the replica as the primary", BOUND, () ->
          REDIS.cli(redis.sentinel().port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
              .contains(Integer.toString(redis.replica().port())));
      RedisProcesses.waitUntil("100 appends were acknowledged after the kill", BOUND, () -> acksAfter(killedAt) >= 100);
      writers.forEach(writer -> writer.stop = true);
      Future.all(writers.stream().map(writer -> writer.stopped.future()).toList())
          .toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);

      List<Ack> all = acks();
      HistoryPage page = store.history().after(channel, 0, 100_000).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      Map<String, Long> stored = new HashMap<>();
      for (int i = 0; i < page.messages().size(); i++) {
        StoredMessage message = page.messages().get(i);
        assertEquals(i + 1, message.seq(), "seqs 1..n without a hole");
        assertEquals(null, stored.put(message.id(), message.seq()), "stored once: " + message.id());
      }
      assertTrue(failures.get() > 0, "the writers were running when the primary died");
      Set<String> epochs = new HashSet<>();
      all.forEach(ack -> epochs.add(ack.epoch()));
      assertEquals(Set.of(page.position().epoch()), epochs, "the stream kept its epoch across the failover");
      for (Ack ack : beforeWait) {
        assertEquals(Long.valueOf(ack.seq()), stored.get(ack.id()), "replicated before the kill, so kept: " + ack);
      }
      Set<String> replicated = new HashSet<>();
      beforeWait.forEach(ack -> replicated.add(ack.id()));
      int lost = 0;
      for (Ack ack : all) {
        Long seq = stored.get(ack.id());
        if (seq == null) {
          assertTrue(!replicated.contains(ack.id()) && ack.atNanos() < killedAt + LATE_REPLIES.toNanos(),
              "only an append the old primary acked after the WAIT may be lost: " + ack);
          lost++;
        } else {
          assertEquals(ack.seq(), (long) seq, "stored with the seq it was acknowledged with: " + ack);
        }
      }
      long firstAfter = all.stream().mapToLong(Ack::atNanos).filter(at -> at > killedAt).min().orElseThrow();
      System.out.printf("failover: appends failed for %d ms after the kill; %d acked (%d after the kill), %d failed "
          + "attempts, %d acked in the replication window and lost%n", (firstAfter - killedAt) / 1_000_000, all.size(),
          acksAfter(killedAt), failures.get(), lost);
    } finally {
      writers.forEach(writer -> writer.stop = true);
      store.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
