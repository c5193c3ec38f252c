package io.sobranie.realtime.common.channel;

import java.util.Locale;

/**
 * Who may subscribe to or publish on the channels of a namespace. Written in configuration as
 * {@code any}, {@code self}, {@code members}, {@code claim:<name>}, {@code service} or {@code deny}.
 *
 * @param kind  the rule
 * @param claim for {@link Kind#CLAIM}: the token claim (an array) that must hold the channel's id
 */
public record Rule(Kind kind, String claim) {
  public enum Kind {
    /** Any authenticated user. */
    ANY,
    /** Only the user whose id is the channel's rest ({@code user:{id}}). */
    SELF,
    /** Only the two users named in the channel ({@code dm:{a}:{b}}, ids sorted). */
    MEMBERS,
    /** Users whose token claim {@code claim} holds the channel's id. */
    CLAIM,
    /** Only tokens with role {@code service}. */
    SERVICE,
    /** Nobody. */
    DENY
  }

  public static final Rule ANY = new Rule(Kind.ANY, null);
  public static final Rule SELF = new Rule(Kind.SELF, null);
  public static final Rule MEMBERS = new Rule(Kind.MEMBERS, null);
  public static final Rule SERVICE = new Rule(Kind.SERVICE, null);
  public static final Rule DENY = new Rule(Kind.DENY, null);

  public static Rule claim(String name) {
    return new Rule(Kind.CLAIM, name);
  }

  /** Parses the configuration form; throws {@link IllegalArgumentException} naming what is accepted. */
  public static Rule parse(String text) {
    if (text != null && text.startsWith("claim:")) {
      String name = text.substring("claim:".length());
      if (!name.equals("circles") && !name.equals("roles")) {
        throw new IllegalArgumentException("unknown claim in rule '" + text + "' (tokens carry claim:circles and claim:roles)");
      }
      return claim(name);
    }
    String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
    return switch (lower) {
      case "any" -> ANY;
      case "self" -> SELF;
      case "members" -> MEMBERS;
      case "service" -> SERVICE;
      case "deny" -> DENY;
      default -> throw new IllegalArgumentException(
          "unknown rule '" + text + "' (expected any, self, members, claim:<name>, service or deny)");
    };
  }

  @Override
  public String toString() {
    return kind == Kind.CLAIM ? "claim:" + claim : kind.name().toLowerCase(Locale.ROOT);
  }
}
