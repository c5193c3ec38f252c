package io.sobranie.realtime.common.channel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sobranie.realtime.common.ErrorCode;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.store.HistoryLimits;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 2: one test per row of the channel table, allowed and denied. */
class ChannelRulesTest {
  private static final long EXP = Long.MAX_VALUE;
  private static final Principal ALICE = new Principal("alice", Set.of(), Set.of("c1", "c2"), EXP);
  private static final Principal BOB = new Principal("bob", Set.of(), Set.of(), EXP);
  private static final Principal CAROL = new Principal("carol", Set.of("moderator"), Set.of("c9"), EXP);
  private static final Principal SERVICE = new Principal("billing", Set.of("service"), Set.of(), EXP);

  private final ChannelRules rules = new ChannelRules(ChannelRules.defaults(1000, 86400), new HistoryLimits(1000, 86400));

  private void canSubscribe(Principal who, String channel) {
    assertDoesNotThrow(() -> rules.checkSubscribe(who, Channel.parse(channel)), who.userId() + " subscribe " + channel);
  }

  private void canPublish(Principal who, String channel) {
    assertDoesNotThrow(() -> rules.checkPublish(who, Channel.parse(channel)), who.userId() + " publish " + channel);
  }

  private void cannotSubscribe(Principal who, String channel, ErrorCode code) {
    RealtimeException e = assertThrows(RealtimeException.class,
        () -> rules.checkSubscribe(who, Channel.parse(channel)), who.userId() + " subscribe " + channel);
    assertEquals(code, e.code(), who.userId() + " subscribe " + channel);
  }

  private void cannotPublish(Principal who, String channel, ErrorCode code) {
    RealtimeException e = assertThrows(RealtimeException.class,
        () -> rules.checkPublish(who, Channel.parse(channel)), who.userId() + " publish " + channel);
    assertEquals(code, e.code(), who.userId() + " publish " + channel);
  }

  // ---------------------------------------------------------------- user:{id}

  @Test
  void userChannelSubscribeAllowedForThatUser() {
    canSubscribe(ALICE, "user:alice");
  }

  @Test
  void userChannelSubscribeForbiddenForAnotherUser() {
    cannotSubscribe(BOB, "user:alice", ErrorCode.FORBIDDEN);
  }

  @Test
  void userChannelSubscribeForbiddenForAService() {
    cannotSubscribe(SERVICE, "user:alice", ErrorCode.FORBIDDEN);
  }

  @Test
  @DisplayName("user:{id} publish: nobody from clients, not even the user")
  void userChannelPublishForbiddenForClientsEvenTheOwner() {
    cannotPublish(ALICE, "user:alice", ErrorCode.FORBIDDEN);
    cannotPublish(BOB, "user:alice", ErrorCode.FORBIDDEN);
  }

  @Test
  @DisplayName("user:{id} publish: services may")
  void userChannelPublishAllowedForServices() {
    canPublish(SERVICE, "user:alice");
  }

  // ---------------------------------------------------------------- notifications

  @Test
  void notificationsSubscribeAllowedForAnyUser() {
    canSubscribe(ALICE, "notifications");
    canSubscribe(BOB, "notifications");
  }

  @Test
  void notificationsPublishForbiddenForClients() {
    cannotPublish(ALICE, "notifications", ErrorCode.FORBIDDEN);
  }

  @Test
  @DisplayName("only the bare name 'notifications' exists: notifications:{anything} is denied, even the caller's own id")
  void notificationsWithASuffixIsDenied() {
    cannotSubscribe(ALICE, "notifications:alice", ErrorCode.FORBIDDEN);
    cannotPublish(SERVICE, "notifications:alice", ErrorCode.FORBIDDEN);
  }

  // ---------------------------------------------------------------- chat:{room}

  @Test
  void chatSubscribeAllowedForAnyUser() {
    canSubscribe(ALICE, "chat:lobby");
    canSubscribe(BOB, "chat:lobby");
    canSubscribe(SERVICE, "chat:lobby");
  }

  @Test
  void chatPublishAllowedForAnyUser() {
    canPublish(ALICE, "chat:lobby");
    canPublish(BOB, "chat:lobby");
    canPublish(SERVICE, "chat:lobby");
  }

  // ---------------------------------------------------------------- dm:{a}:{b}

  @Test
  void dmSubscribeAllowedForBothMembers() {
    canSubscribe(ALICE, "dm:alice:bob");
    canSubscribe(BOB, "dm:alice:bob");
  }

  @Test
  void dmPublishAllowedForBothMembers() {
    canPublish(ALICE, "dm:alice:bob");
    canPublish(BOB, "dm:alice:bob");
  }

  @Test
  void dmSubscribeForbiddenForNonMember() {
    cannotSubscribe(CAROL, "dm:alice:bob", ErrorCode.FORBIDDEN);
  }

  @Test
  void dmPublishForbiddenForNonMember() {
    cannotPublish(CAROL, "dm:alice:bob", ErrorCode.FORBIDDEN);
  }

  @Test
  @DisplayName("dm publish: only a and b, so not a service either")
  void dmPublishForbiddenForNonMemberService() {
    cannotPublish(SERVICE, "dm:alice:bob", ErrorCode.FORBIDDEN);
  }

  @Test
  void dmChannelWithUnsortedIdsIsBadRequest() {
    cannotSubscribe(ALICE, "dm:bob:alice", ErrorCode.BAD_REQUEST);
    cannotPublish(ALICE, "dm:bob:alice", ErrorCode.BAD_REQUEST);
  }

  @Test
  void dmChannelWithOneIdIsBadRequest() {
    cannotSubscribe(ALICE, "dm:alice", ErrorCode.BAD_REQUEST);
    cannotPublish(ALICE, "dm:alice", ErrorCode.BAD_REQUEST);
  }

  @Test
  void dmChannelWithThreeIdsIsBadRequest() {
    cannotSubscribe(ALICE, "dm:alice:bob:carol", ErrorCode.BAD_REQUEST);
  }

  @Test
  void dmChannelWithEmptySecondIdIsBadRequest() {
    cannotSubscribe(ALICE, "dm:alice:", ErrorCode.BAD_REQUEST);
  }

  @Test
  void dmChannelWithOver64CharacterIdIsBadRequest() {
    String longId = "z".repeat(65);
    cannotSubscribe(ALICE, "dm:alice:" + longId, ErrorCode.BAD_REQUEST);
  }

  @Test
  @DisplayName("dm:alice:alice (notes to self) is allowed for alice")
  void dmWithSelfIsAllowedForThatUser() {
    canSubscribe(ALICE, "dm:alice:alice");
    canPublish(ALICE, "dm:alice:alice");
    cannotSubscribe(BOB, "dm:alice:alice", ErrorCode.FORBIDDEN);
  }

  // ---------------------------------------------------------------- circle:{id}

  @Test
  void circleSubscribeAllowedWhenCirclesClaimHoldsId() {
    canSubscribe(ALICE, "circle:c1");
    canSubscribe(ALICE, "circle:c2");
  }

  @Test
  void circlePublishAllowedWhenCirclesClaimHoldsId() {
    canPublish(ALICE, "circle:c1");
  }

  @Test
  void circleSubscribeForbiddenWhenCirclesClaimLacksId() {
    cannotSubscribe(ALICE, "circle:c9", ErrorCode.FORBIDDEN);
    cannotSubscribe(BOB, "circle:c1", ErrorCode.FORBIDDEN);
  }

  @Test
  void circlePublishForbiddenWhenCirclesClaimLacksId() {
    cannotPublish(CAROL, "circle:c1", ErrorCode.FORBIDDEN);
    cannotPublish(BOB, "circle:c1", ErrorCode.FORBIDDEN);
  }

  // ---------------------------------------------------------------- post:{id}, creator:{id}

  @Test
  void postSubscribeAllowedForAnyUser() {
    canSubscribe(ALICE, "post:123");
    canSubscribe(BOB, "post:123");
  }

  @Test
  void postPublishForbiddenForUsers() {
    cannotPublish(ALICE, "post:123", ErrorCode.FORBIDDEN);
  }

  @Test
  void postPublishAllowedForServices() {
    canPublish(SERVICE, "post:123");
  }

  @Test
  void creatorSubscribeAllowedForAnyUser() {
    canSubscribe(ALICE, "creator:bob");
  }

  @Test
  @DisplayName("creator:{id} publish is denied to users, the creator included")
  void creatorPublishForbiddenForUsers() {
    cannotPublish(BOB, "creator:bob", ErrorCode.FORBIDDEN);
  }

  @Test
  void creatorPublishAllowedForServices() {
    canPublish(SERVICE, "creator:bob");
  }

  // ---------------------------------------------------------------- presence:{id}

  @Test
  void presenceSubscribeAllowedForAnyUser() {
    canSubscribe(ALICE, "presence:bob");
  }

  @Test
  void presencePublishForbiddenForUsers() {
    cannotPublish(BOB, "presence:bob", ErrorCode.FORBIDDEN);
  }

  @Test
  @DisplayName("presence:{id} publish: nobody, not even a service (server-generated)")
  void presencePublishForbiddenEvenForServices() {
    cannotPublish(SERVICE, "presence:bob", ErrorCode.FORBIDDEN);
  }

  // ---------------------------------------------------------------- broadcast

  @Test
  @DisplayName("broadcast explicit subscribe is allowed (a no-op answered subscribed)")
  void broadcastSubscribeAllowedForAnyUser() {
    canSubscribe(ALICE, "broadcast");
  }

  @Test
  void broadcastPublishForbiddenForUsers() {
    cannotPublish(ALICE, "broadcast", ErrorCode.FORBIDDEN);
  }

  @Test
  void broadcastPublishAllowedForServices() {
    canPublish(SERVICE, "broadcast");
  }

  @Test
  @DisplayName("only the bare name 'broadcast' exists: broadcast:{anything} is denied to users and services")
  void broadcastWithASuffixIsDenied() {
    cannotSubscribe(ALICE, "broadcast:x", ErrorCode.FORBIDDEN);
    cannotPublish(SERVICE, "broadcast:x", ErrorCode.FORBIDDEN);
  }

  // ---------------------------------------------------------------- anything else

  @Test
  void unknownNamespaceSubscribeIsForbidden() {
    cannotSubscribe(ALICE, "game:42", ErrorCode.FORBIDDEN);
  }

  @Test
  void unknownNamespacePublishIsForbiddenEvenForServices() {
    cannotPublish(ALICE, "game:42", ErrorCode.FORBIDDEN);
    cannotPublish(SERVICE, "game:42", ErrorCode.FORBIDDEN);
  }

  // ---------------------------------------------------------------- history limits

  @Test
  void historyLimitsAreLookedUpPerNamespace() {
    Map<String, NamespaceRules> table = new java.util.HashMap<>(ChannelRules.defaults(1000, 86400));
    table.put("chat", new NamespaceRules(Rule.ANY, Rule.ANY, 50, 600, true));
    ChannelRules custom = new ChannelRules(table, new HistoryLimits(7, 70));
    assertEquals(new HistoryLimits(50, 600), custom.historyLimits("chat:lobby"));
    assertEquals(new HistoryLimits(1000, 86400), custom.historyLimits("dm:alice:bob"));
    assertEquals(new HistoryLimits(1000, 86400), custom.historyLimits("notifications"));
    assertEquals(new HistoryLimits(1000, 86400), custom.historyLimits("broadcast"));
  }

  @Test
  void historyLimitsOfUnknownNamespaceAreTheDefaultLimits() {
    ChannelRules custom = new ChannelRules(ChannelRules.defaults(1000, 86400), new HistoryLimits(7, 70));
    assertEquals(new HistoryLimits(7, 70), custom.historyLimits("game:42"));
  }

  @Test
  void defaultsUseTheGivenHistoryLimitsForEveryNamespace() {
    ChannelRules custom = new ChannelRules(ChannelRules.defaults(20, 30), new HistoryLimits(20, 30));
    for (String channel : new String[] {"user:alice", "notifications", "chat:x", "dm:a:b", "circle:c",
        "post:1", "creator:1", "presence:1", "broadcast"}) {
      assertEquals(new HistoryLimits(20, 30), custom.historyLimits(channel), channel);
    }
  }

  @Test
  void defaultsTrackPresenceInRoomNamespacesOnly() {
    Map<String, NamespaceRules> d = ChannelRules.defaults(1000, 86400);
    // PROTOCOL.md section 3: presence is pushed to the rooms (chat:, circle:, dm:) a user is subscribed to.
    assertEquals(true, d.get("chat").presence());
    assertEquals(true, d.get("circle").presence());
    assertEquals(true, d.get("dm").presence());
    assertEquals(false, d.get("post").presence());
    assertEquals(false, d.get("presence").presence());
  }

  // ---------------------------------------------------------------- Rule

  @Test
  void ruleParseAcceptsEveryDocumentedForm() {
    assertEquals(Rule.ANY, Rule.parse("any"));
    assertEquals(Rule.SELF, Rule.parse("self"));
    assertEquals(Rule.MEMBERS, Rule.parse("members"));
    assertEquals(Rule.SERVICE, Rule.parse("service"));
    assertEquals(Rule.DENY, Rule.parse("deny"));
    assertEquals(Rule.claim("circles"), Rule.parse("claim:circles"));
  }

  @Test
  void ruleParseRejectsUnknownText() {
    assertThrows(IllegalArgumentException.class, () -> Rule.parse("everyone"));
    assertThrows(IllegalArgumentException.class, () -> Rule.parse(""));
    assertThrows(IllegalArgumentException.class, () -> Rule.parse(null));
  }

  @Test
  void ruleToStringIsTheConfigurationForm() {
    for (String text : new String[] {"any", "self", "members", "service", "deny", "claim:circles", "claim:roles"}) {
      assertEquals(text, Rule.parse(text).toString());
    }
  }

  @Test
  void claimRolesRuleChecksTheRolesClaim() {
    Map<String, NamespaceRules> table = Map.of(
        "mod", new NamespaceRules(Rule.claim("roles"), Rule.DENY, 10, 10, false));
    ChannelRules custom = new ChannelRules(table, new HistoryLimits(10, 10));
    assertDoesNotThrow(() -> custom.checkSubscribe(CAROL, Channel.parse("mod:moderator")));
    RealtimeException e = assertThrows(RealtimeException.class,
        () -> custom.checkSubscribe(ALICE, Channel.parse("mod:moderator")));
    assertEquals(ErrorCode.FORBIDDEN, e.code());
  }
}
