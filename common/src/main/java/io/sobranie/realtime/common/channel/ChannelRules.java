package io.sobranie.realtime.common.channel;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.store.HistoryLimits;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The access rules of every namespace (PROTOCOL.md section 2): decides who may subscribe to and
 * publish on a channel. The table is configuration; {@link #defaults} gives the built-in one.
 */
public final class ChannelRules {
  private final Map<String, NamespaceRules> namespaces;
  private final HistoryLimits defaultLimits;

  /** @param defaultLimits history limits of channels outside every namespace (never written: they are denied) */
  public ChannelRules(Map<String, NamespaceRules> namespaces, HistoryLimits defaultLimits) {
    this.namespaces = Map.copyOf(namespaces);
    this.defaultLimits = defaultLimits;
  }

  /** The default table of PROTOCOL.md, with the given history limits for every namespace. */
  public static Map<String, NamespaceRules> defaults(int historySize, long historyTtlSeconds) {
    return Map.of(
        "user", new NamespaceRules(Rule.SELF, Rule.SERVICE, historySize, historyTtlSeconds, false),
        Channel.NOTIFICATIONS, new NamespaceRules(Rule.SELF, Rule.DENY, historySize, historyTtlSeconds, false),
        "chat", new NamespaceRules(Rule.ANY, Rule.ANY, historySize, historyTtlSeconds, true),
        "dm", new NamespaceRules(Rule.MEMBERS, Rule.MEMBERS, historySize, historyTtlSeconds, true),
        "circle", new NamespaceRules(Rule.claim("circles"), Rule.claim("circles"), historySize, historyTtlSeconds, true),
        "post", new NamespaceRules(Rule.ANY, Rule.SERVICE, historySize, historyTtlSeconds, false),
        "creator", new NamespaceRules(Rule.ANY, Rule.SERVICE, historySize, historyTtlSeconds, false),
        "presence", new NamespaceRules(Rule.ANY, Rule.DENY, historySize, historyTtlSeconds, false),
        Channel.BROADCAST, new NamespaceRules(Rule.ANY, Rule.SERVICE, historySize, historyTtlSeconds, false));
  }

  public Map<String, NamespaceRules> namespaces() {
    return namespaces;
  }

  /** The history limits of a channel by name (for stores). */
  public HistoryLimits historyLimits(String channelName) {
    int colon = channelName.indexOf(':');
    NamespaceRules rules = namespaces.get(colon < 0 ? channelName : channelName.substring(0, colon));
    return rules == null ? defaultLimits : new HistoryLimits(rules.historySize(), rules.historyTtlSeconds());
  }

  /**
   * The rules of the channel's namespace; unknown namespaces are denied, and so is any name under
   * {@code notifications:} or {@code broadcast:} (PROTOCOL.md section 2: only the bare names exist).
   */
  public NamespaceRules of(Channel channel) {
    if (!channel.isBare() && (channel.namespace().equals(Channel.NOTIFICATIONS) || channel.namespace().equals(Channel.BROADCAST))) {
      throw RealtimeException.forbidden("only the bare name '" + channel.namespace() + "' exists");
    }
    NamespaceRules rules = namespaces.get(channel.namespace());
    if (rules == null) {
      throw RealtimeException.forbidden("unknown channel namespace '" + channel.namespace() + "'");
    }
    return rules;
  }

  /** Throws {@code forbidden} (or {@code bad_request} for a malformed dm name) unless the principal may subscribe. */
  public void checkSubscribe(Principal principal, Channel channel) {
    check(of(channel).subscribe(), principal, channel, "subscribe to");
  }

  /** Throws {@code forbidden} (or {@code bad_request} for a malformed dm name) unless the principal may publish. */
  public void checkPublish(Principal principal, Channel channel) {
    check(of(channel).publish(), principal, channel, "publish on");
  }

  private static void check(Rule rule, Principal principal, Channel channel, String action) {
    if (!allows(rule, principal, channel)) {
      throw RealtimeException.forbidden("not allowed to " + action + " " + channel.name());
    }
  }

  private static boolean allows(Rule rule, Principal principal, Channel channel) {
    return switch (rule.kind()) {
      case ANY -> true;
      case SELF -> channel.isBare() || channel.rest().equals(principal.userId());
      case MEMBERS -> members(channel).contains(principal.userId());
      case CLAIM -> claim(principal, rule.claim()).contains(channel.rest());
      case SERVICE -> principal.isService();
      case DENY -> false;
    };
  }

  /** The two members of a {@code ns:{a}:{b}} channel; malformed or unsorted ids are a bad request. */
  static List<String> members(Channel channel) {
    String[] ids = channel.rest().split(":", -1);
    if (ids.length != 2 || !Principal.isValidUserId(ids[0]) || !Principal.isValidUserId(ids[1])) {
      throw RealtimeException.badRequest(channel.namespace() + " channel must be " + channel.namespace() + ":{userA}:{userB}");
    }
    if (ids[0].compareTo(ids[1]) > 0) {
      throw RealtimeException.badRequest(channel.namespace() + " channel user ids must be sorted: "
          + channel.namespace() + ":" + ids[1] + ":" + ids[0]);
    }
    return List.of(ids[0], ids[1]);
  }

  private static Set<String> claim(Principal principal, String name) {
    return switch (name) {
      case "circles" -> principal.circles();
      case "roles" -> principal.roles();
      default -> Set.of(); // Rule.parse only accepts the claims a Principal carries
    };
  }
}
