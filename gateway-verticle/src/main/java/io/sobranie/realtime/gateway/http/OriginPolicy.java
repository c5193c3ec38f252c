package io.sobranie.realtime.gateway.http;

import java.net.URI;
import java.util.List;

/**
 * {@code ALLOWED_ORIGINS} (PROTOCOL.md section 3, Origins): browsers send {@code Origin}; it must
 * be listed, or the list must be {@code *}; an empty list means same-origin only (the origin's
 * host and port are the request's {@code Host}). Requests without {@code Origin} (apps,
 * services) are not browsers and pass.
 */
public final class OriginPolicy {
  private final List<String> allowed;

  public OriginPolicy(List<String> allowed) {
    this.allowed = allowed;
  }

  public boolean allows(String origin, String host) {
    if (origin == null || allowed.contains("*") || allowed.contains(origin)) {
      return true;
    }
    if (!allowed.isEmpty() || host == null) {
      return false;
    }
    try {
      URI uri = new URI(origin);
      int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
      String hostOnly = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
      int hostPort = host.contains(":") ? Integer.parseInt(host.substring(host.lastIndexOf(':') + 1))
          : "https".equals(uri.getScheme()) ? 443 : 80;
      return hostOnly.equalsIgnoreCase(uri.getHost()) && port == hostPort;
    } catch (Exception malformed) {
      return false;
    }
  }
}
