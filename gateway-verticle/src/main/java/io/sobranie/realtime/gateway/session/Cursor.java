package io.sobranie.realtime.gateway.session;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.store.StreamPosition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The opaque resume point of SSE ({@code id:} / {@code Last-Event-ID}) and long-polling
 * ({@code cursor}): the last seq and epoch delivered of each stream, notifications included
 * under the name {@value Channel#NOTIFICATIONS}. Encoded as base64url JSON so it survives URLs.
 */
public final class Cursor {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final int MAX_LENGTH = 16_384;

  private final Map<String, StreamPosition> positions;

  public Cursor(Map<String, StreamPosition> positions) {
    this.positions = new LinkedHashMap<>(positions);
  }

  public static Cursor empty() {
    return new Cursor(Map.of());
  }

  /** The position of a stream, or null when the cursor does not cover it. */
  public StreamPosition get(String stream) {
    return positions.get(stream);
  }

  public void put(String stream, StreamPosition position) {
    positions.put(stream, position);
  }

  /** Takes every position of {@code other} (a reply then resumes at least where the request stood). */
  public void putAll(Cursor other) {
    positions.putAll(other.positions);
  }

  public String encode() {
    JsonObject json = new JsonObject();
    positions.forEach((stream, p) -> json.put(stream, new JsonArray().add(p.seq()).add(p.epoch())));
    return ENCODER.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a cursor from outside input; anything malformed is a {@code bad_request}. */
  public static Cursor decode(String text) {
    if (text == null || text.isEmpty()) {
      return empty();
    }
    try {
      if (text.length() > MAX_LENGTH) {
        throw new IllegalArgumentException("too long");
      }
      JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
      Map<String, StreamPosition> positions = new LinkedHashMap<>();
      for (Map.Entry<String, Object> entry : json) {
        Channel.parse(entry.getKey());
        JsonArray pair = (JsonArray) entry.getValue();
        long seq = ((Number) pair.getValue(0)).longValue();
        if (seq < 0 || pair.size() != 2) {
          throw new IllegalArgumentException("bad position");
        }
        positions.put(entry.getKey(), new StreamPosition(seq, (String) pair.getValue(1)));
      }
      return new Cursor(positions);
    } catch (RuntimeException e) {
      throw RealtimeException.badRequest("invalid cursor");
    }
  }
}
