package io.sobranie.realtime.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sobranie.realtime.common.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real Redis at {@code REDIS_URL} (default {@code redis://127.0.0.1:6379}),
 * plus what only Redis has: several clients on one stream, lost keys, script caching, key layout.
 * A missing Redis fails these tests (CI starts one); it never skips them. Every test writes under
 * its own key prefix {@code rt-test-<class run>-<n>:} and deletes its keys afterwards.
 */
class RedisStoreTest extends StoreContract {
  private static final String URL = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
  private static final String RUN_PREFIX = "rt-test-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static Vertx vertx;
  private static Redis admin;

  /** This test's keys; JUnit makes one instance per test. */
  private final String prefix = RUN_PREFIX + TESTS.incrementAndGet() + ":";
  private final List<RedisStore> extraStores = new ArrayList<>();

  @BeforeAll
  static void connectAdmin() throws Exception {
    vertx = Vertx.vertx();
    admin = Redis.createClient(vertx, RedisStore.options(URL));
    await(admin.send(Request.cmd(Command.PING)));
  }

  @AfterAll
  static void closeAdmin() throws Exception {
    try {
      if (admin != null) {
        await(deleteKeys(RUN_PREFIX + "*"));
        await(admin.close());
      }
    } finally {
      if (vertx != null) {
        await(vertx.close());
      }
    }
  }

  @Override
  protected Store newStore(Function<String, HistoryLimits> limits, LongSupplier clock) {
    return connect(limits, clock);
  }

  private RedisStore connect(Function<String, HistoryLimits> limits, LongSupplier clock) {
    try {
      return await(RedisStore.connect(vertx, RedisStore.options(URL), prefix, limits, clock));
    } catch (Exception e) {
      throw new IllegalStateException("Redis at " + URL + " is needed by these tests (set REDIS_URL)", e);
    }
  }

  /** Runs before the contract's own {@code @AfterEach} closes the store. */
  @AfterEach
  void deleteThisTestsKeys() throws Exception {
    for (RedisStore extra : extraStores) {
      await(extra.close());
    }
    await(deleteKeys(prefix + "*"));
  }

  /** SCAN MATCH pattern, UNLINK what it finds, until the cursor comes back to 0. */
  private static Future<Void> deleteKeys(String pattern) {
    return scan(pattern, "0", new ArrayList<>()).compose(keys -> {
      if (keys.isEmpty()) {
        return Future.succeededFuture();
      }
      Request unlink = Request.cmd(Command.UNLINK);
      keys.forEach(unlink::arg);
      return admin.send(unlink).mapEmpty();
    });
  }

  private static Future<List<String>> scan(String pattern, String cursor, List<String> found) {
    return admin.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000))
        .compose(reply -> {
          reply.get(1).forEach(key -> found.add(key.toString()));
          String next = reply.get(0).toString();
          return "0".equals(next) ? Future.succeededFuture(found) : scan(pattern, next, found);
        });
  }

  @Override
  protected long storedChannels() throws Exception {
    return await(scan(prefix + "{ch:*}:state", "0", new ArrayList<>())).size();
  }

  /** Channel streams stored on {@code servers} under this test's prefix (SCAN of each, state keys only). */
  static long storedChannels(Vertx vertx, List<String> serverUrls, String prefix) throws Exception {
    long count = 0;
    for (String url : serverUrls) {
      io.vertx.redis.client.Redis node = io.vertx.redis.client.Redis.createClient(vertx, url);
      try {
        String cursor = "0";
        do {
          io.vertx.redis.client.Response reply = await(node.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SCAN)
              .arg(cursor).arg("MATCH").arg(prefix + "{ch:*}:state").arg("COUNT").arg(1000)));
          count += reply.get(1).size();
          cursor = reply.get(0).toString();
        } while (!"0".equals(cursor));
      } finally {
        await(node.close());
      }
    }
    return count;
  }


  private RedisStore redisStore() {
    return (RedisStore) store;
  }

  // ---------------------------------------------------------------- several clients

  @Test
  @DisplayName("two stores (two clients, like two nodes) appending concurrently to one channel get seqs 1..N, no duplicate, no hole")
  void twoStoresAppendingConcurrentlyGetContiguousUniqueSeqs() throws Exception {
    RedisStore other = connect(LIMITS, clock::get);
    extraStores.add(other);
    String ch = channel("chat");
    int perStore = 500;
    List<Future<AppendResult>> pending = new ArrayList<>();
    for (int i = 0; i < perStore; i++) {
      pending.add(store.history().append(ch, draft("a" + i), null));
      pending.add(other.history().append(ch, draft("b" + i), null));
    }
    await(Future.all(pending));
    Set<Long> seqs = new HashSet<>();
    Set<String> epochs = new HashSet<>();
    for (Future<AppendResult> result : pending) {
      assertFalse(result.result().duplicate());
      seqs.add(result.result().message().seq());
      epochs.add(result.result().epoch());
    }
    int total = 2 * perStore;
    assertEquals(total, seqs.size(), "no seq given twice");
    for (long seq = 1; seq <= total; seq++) {
      assertTrue(seqs.contains(seq), "no hole at " + seq);
    }
    assertEquals(1, epochs.size());
    HistoryPage page = await(other.history().after(ch, 0, 5000));
    assertEquals(total, page.messages().size());
    for (int i = 0; i < total; i++) {
      assertEquals(i + 1, page.messages().get(i).seq(), "the stream is in seq order");
    }
  }

  @Test
  @DisplayName("the same idempotency key sent through two stores stores one message")
  void idemKeyIsSharedBetweenStores() throws Exception {
    RedisStore other = connect(LIMITS, clock::get);
    extraStores.add(other);
    String ch = channel("chat");
    AppendResult first = await(store.history().append(ch, draft("x"), "k1"));
    AppendResult second = await(other.history().append(ch, draft("x again"), "k1"));
    assertTrue(second.duplicate());
    assertEquals(first.message(), second.message());
  }

  @Test
  @DisplayName("a ticket issued through one store is redeemed once through another")
  void ticketIssuedOnOneNodeIsRedeemedOnceOnAnother() throws Exception {
    RedisStore other = connect(LIMITS, clock::get);
    extraStores.add(other);
    Principal bob = new Principal("bob", Set.of(), Set.of("c9"), T0 + 3_600_000);
    String ticket = await(store.tickets().issue(bob, 30_000));
    assertEquals(bob, await(other.tickets().redeem(ticket)));
    assertEquals(null, await(store.tickets().redeem(ticket)));
  }

  // ---------------------------------------------------------------- lost state, scripts

  @Test
  @DisplayName("a stream whose state key was lost (evicted, deleted) but not its data restarts at seq 1 in a new epoch")
  void lostStateKeyStartsANewEpoch() throws Exception {
    String ch = channel("chat");
    String epoch = append(ch, "a").epoch();
    append(ch, "b");
    await(admin.send(Request.cmd(Command.DEL).arg(prefix + "{ch:" + ch + "}:state")));
    AppendResult next = append(ch, "c");
    assertEquals(1, next.message().seq());
    assertNotEquals(epoch, next.epoch());
    assertEquals(List.of(next.message()), await(store.history().after(ch, 0, 10)).messages(),
        "the old epoch's messages are not mixed in");
  }

  @Test
  @DisplayName("a script Redis has never seen runs, and runs again")
  void unknownScriptRuns() throws Exception {
    String marker = UUID.randomUUID().toString();
    RedisScript script = new RedisScript("-- " + marker + "\nreturn {KEYS[1], ARGV[1]}");
    Redis redis = Redis.createClient(vertx, RedisStore.options(URL));
    try {
      Response reply = await(script.run(redis::send, List.of(prefix + "k"), List.of("v")));
      assertEquals(prefix + "k", reply.get(0).toString());
      assertEquals("v", reply.get(1).toString());
      assertEquals("v", await(script.run(redis::send, List.of(prefix + "k"), List.of("v"))).get(1).toString(), "and again");
    } finally {
      await(redis.close());
    }
  }

  @Test
  @DisplayName("after SCRIPT FLUSH the store carries on: appends get the next seqs, reads see them")
  void storeCarriesOnAfterScriptFlush() throws Exception {
    String ch = channel("chat");
    String epoch = append(ch, "a").epoch();
    await(admin.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
    AppendResult next = append(ch, "b");
    assertEquals(2, next.message().seq());
    assertEquals(epoch, next.epoch());
    assertEquals(2, await(store.history().after(ch, 0, 10)).messages().size());
  }

  @Test
  @DisplayName("a store whose connections were killed reconnects and carries on")
  void storeReconnectsAfterItsConnectionsWereKilled() throws Exception {
    String ch = channel("chat");
    append(ch, "a");
    RedisLanes lanes = redisStore().lanes();
    for (int i = 0; i < lanes.count(); i++) {
      long id = await(lanes.sendOn(i, Request.cmd(Command.CLIENT).arg("ID"))).toLong();
      await(admin.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(id)));
    }
    AppendResult next = null;
    long deadline = System.currentTimeMillis() + 5_000;
    while (next == null) {
      try {
        next = append(ch, "b");
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
    assertEquals(2, next.message().seq());
  }

  @Test
  void connectFailsLoudlyWhenRedisDoesNotAnswer() {
    Exception failure = null;
    try {
      await(RedisStore.connect(vertx, RedisStore.options("redis://127.0.0.1:1"), prefix, LIMITS, clock::get));
    } catch (Exception e) {
      failure = e;
    }
    assertTrue(failure != null && failure.getMessage().contains("does not answer"), String.valueOf(failure));
  }

  // ---------------------------------------------------------------- key layout

  private static final Pattern HASH_TAG = Pattern.compile("^[^{]*\\{([^}]*)}");

  @Test
  @DisplayName("keys are hash-tagged per channel and per user, the presence node registry under one tag, all under the prefix")
  void keysAreHashTaggedPerChannelPerUserAndPresence() throws Exception {
    String ch = channel("chat");
    String alice = name("alice");
    append(ch, "a", "k1");
    await(store.notifications().append(alice, "n-1", "k", "{}", clock.get()));
    await(store.presence().connect(name("n"), alice, name("c"), "ws"));
    await(store.presence().join(name("n"), ch, alice, name("c")));
    await(store.presence().renewLease(name("n"), 10_000, T0));
    Set<String> tags = new HashSet<>();
    for (String key : await(scan(prefix + "*", "0", new ArrayList<>()))) {
      Matcher tag = HASH_TAG.matcher(key);
      assertTrue(tag.find(), "no hash tag: " + key);
      assertTrue(key.startsWith(prefix + "{"), "the tag follows the prefix: " + key);
      tags.add(tag.group(1));
    }
    String generation = RedisSlots.tagOfSlot(RedisSlots.slotOfTag("ch:" + ch));
    assertEquals(Set.of("ch:" + ch, "u:" + alice, "presence", generation, "health"), tags);
    assertEquals(RedisSlots.slotOfTag("ch:" + ch), RedisSlots.slotOfTag(generation), "the generation shares the channel's slot");
  }

  @Test
  @DisplayName("Redis frees a stream's keys after its lifetime and a ticket after its ttl (memory only)")
  void keysCarryARedisExpiry() throws Exception {
    String ch = channel("hour");
    append(ch, "a", "k1");
    for (String suffix : List.of("log", "idem", "idemq")) {
      long pttl = await(admin.send(Request.cmd(Command.PTTL).arg(prefix + "{ch:" + ch + "}:" + suffix))).toLong();
      assertTrue(pttl > 0 && pttl <= 3_600_000, suffix + " pttl " + pttl);
    }
    long statePttl = await(admin.send(Request.cmd(Command.PTTL).arg(prefix + "{ch:" + ch + "}:state"))).toLong();
    assertTrue(statePttl > 3_600_000 && statePttl <= 3_600_000 + HistoryStore.STATE_HORIZON_MS,
        "the state outlives the data by the horizon: pttl " + statePttl);
    String alice = name("alice");
    await(store.notifications().append(alice, "n-1", "k", "{}", clock.get()));
    long notificationTtl = await(admin.send(Request.cmd(Command.PTTL).arg(prefix + "{u:" + alice + "}:n:items"))).toLong();
    assertTrue(notificationTtl > 0 && notificationTtl <= NotificationStore.TTL_MS, "items pttl " + notificationTtl);
    String ticket = await(store.tickets().issue(new Principal("bob", Set.of(), Set.of(), T0 + 1), 30_000));
    long ticketTtl = await(admin.send(Request.cmd(Command.PTTL).arg(prefix + "ticket:" + ticket))).toLong();
    assertTrue(ticketTtl > 0 && ticketTtl <= 30_000, "ticket pttl " + ticketTtl);
  }

  // ---------------------------------------------------------------- presence beyond the in-memory store

  /**
   * InMemoryPresenceStore answers only the rooms of the user's last purged connection (a HashSet
   * iteration order decides which), so it fails this; the Redis store answers all of them.
   */
  @Test
  @DisplayName("purgeNode answers every room a user left when all their connections went with the node")
  void purgeNodeAnswersEveryRoomOfAUserWhoseConnectionsAllWentWithTheNode() throws Exception {
    String dead = name("dead");
    String alice = name("alice");
    String r1 = channel("room");
    String r2 = channel("room");
    String c1 = name("c");
    String c2 = name("c");
    await(store.presence().connect(dead, alice, c1, "ws"));
    await(store.presence().connect(dead, alice, c2, "sse"));
    await(store.presence().join(dead, r1, alice, c1));
    await(store.presence().join(dead, r2, alice, c2));
    assertEquals(Map.of(alice, Set.of(r1, r2)), await(store.presence().purgeNode(dead, T0)));
  }

  @Test
  @DisplayName("a purge that failed part-way, repeated, finishes: a user's record outlives their room entries")
  void purgeRepeatedAfterAFailureFinishes() throws Exception {
    String dead = name("dead");
    String alice = name("alice");
    String room = channel("room");
    String conn = name("c");
    await(store.presence().connect(dead, alice, conn, "ws"));
    await(store.presence().join(dead, room, alice, conn));
    String roomKey = prefix + "{ch:" + room + "}:p:conns:" + alice;
    await(admin.send(Request.cmd(Command.SET).arg(roomKey).arg("not a set"))); // the room step now fails (WRONGTYPE)
    Exception failure = null;
    try {
      await(store.presence().purgeNode(dead, T0));
    } catch (Exception e) {
      failure = e;
    }
    assertTrue(failure != null && failure.getMessage().contains("WRONGTYPE"), String.valueOf(failure));
    assertEquals(1, await(store.presence().connectionCount(alice)), "the user's record stays until their rooms are clean");
    assertTrue(await(store.presence().expiredNodes(T0)).contains(dead), "the reaper will try again");
    await(admin.send(Request.cmd(Command.DEL).arg(roomKey)));
    await(admin.send(Request.cmd(Command.SADD).arg(roomKey).arg(conn)));
    assertEquals(Map.of(alice, Set.of(room)), await(store.presence().purgeNode(dead, T0 + 1)));
    assertEquals(Set.of(), await(store.presence().members(room)));
    assertEquals(0, await(store.presence().connectionCount(alice)));
    assertFalse(await(store.presence().expiredNodes(T0 + 1)).contains(dead));
  }

  @Test
  void keyPrefixWithABraceIsRefused() {
    Exception failure = null;
    try {
      await(RedisStore.connect(vertx, RedisStore.options(URL), "rt:{x}:", LIMITS, clock::get));
    } catch (Exception e) {
      failure = e;
    }
    assertTrue(failure instanceof IllegalArgumentException, String.valueOf(failure));
    assertEquals(prefix, redisStore().keyPrefix());
  }
}
