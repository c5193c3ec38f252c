package io.sobranie.realtime.common;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** Identifier generation: cheap unique ids for messages and connections, unguessable ones for secrets. */
public final class Ids {
  private static final SecureRandom SECURE = new SecureRandom();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private Ids() {
  }

  /** A unique, time-ordered id with a prefix, e.g. {@code m-lz3k2a9f4q…}: not a secret. */
  public static String unique(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return prefix + Long.toString(System.currentTimeMillis(), 36)
        + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
  }

  /** A short random token (64 bits), e.g. for stream epochs and node names. */
  public static String shortRandom() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  /** An unguessable value of {@code bytes} random bytes from a CSPRNG, base64url. */
  public static String secret(int bytes) {
    byte[] raw = new byte[bytes];
    SECURE.nextBytes(raw);
    return URL.encodeToString(raw);
  }
}
