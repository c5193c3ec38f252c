package io.sobranie.realtime.common.config;

import java.util.Locale;

/** What a node runs ({@code ROLES}): one container image serves every role. */
public enum Role {
  GATEWAY, CHAT, PRESENCE, NOTIFICATION;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
