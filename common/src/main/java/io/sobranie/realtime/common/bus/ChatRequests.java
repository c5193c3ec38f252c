package io.sobranie.realtime.common.bus;

import io.sobranie.realtime.common.JsonFields;
import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The live-only client actions gateways send to the chat service ({@code realtime.chat.typing},
 * {@code realtime.chat.signal}), with the principal that sent them. Read back with the same
 * validation as client input; the chat service checks the publish right again (see its doc).
 */
public final class ChatRequests {
  /** The WebRTC signal kinds a client may relay. */
  public static final Set<String> SIGNALS = Set.of("offer", "answer", "ice", "hangup");

  private ChatRequests() {
  }

  /** A typing indicator on a channel. */
  public record Typing(Principal principal, String channel, boolean active) {
    public JsonObject toJson() {
      return new JsonObject().put("principal", principal.toJson()).put("channel", channel).put("active", active);
    }

    public static Typing fromJson(JsonObject json) {
      return new Typing(Principal.requireIn(json), Channel.parse(JsonFields.requireString(json, "channel")).name(),
          JsonFields.requireBoolean(json, "active"));
    }
  }

  /** A WebRTC signal for every connection of {@code to}; {@code payload} is any JSON (or null). */
  public record Signal(Principal principal, String to, String signal, Object payload) {
    public JsonObject toJson() {
      return new JsonObject().put("principal", principal.toJson()).put("to", to).put("signal", signal).put("payload", payload);
    }

    public static Signal fromJson(JsonObject json) {
      return fromClient(Principal.requireIn(json), json);
    }

    /** Validates the fields of a client {@code signal} frame or REST body. */
    public static Signal fromClient(Principal principal, JsonObject body) {
      String to = Principal.requireUserId(body, "to");
      String signal = JsonFields.requireString(body, "signal");
      if (!SIGNALS.contains(signal)) {
        throw RealtimeException.badRequest("'signal' must be one of offer, answer, ice, hangup");
      }
      return new Signal(principal, to, signal, body.getValue("payload"));
    }
  }

  /**
   * A client's binary frame for a channel's live subscribers: its {@code header} (the client's,
   * {@code ref} removed) and its payload, base64 on the bus. The chat service stamps {@code from},
   * {@code id} and {@code ts} into the header it relays.
   */
  public record Binary(Principal principal, String channel, JsonObject header, String payload) {
    public JsonObject toJson() {
      return new JsonObject().put("principal", principal.toJson()).put("channel", channel).put("header", header)
          .put("payload", payload);
    }

    public static Binary fromJson(JsonObject json) {
      JsonObject header = JsonFields.optionalObject(json, "header");
      return new Binary(Principal.requireIn(json), Channel.parse(JsonFields.requireString(json, "channel")).name(),
          header == null ? new JsonObject() : header, JsonFields.requireString(json, "payload"));
    }

    /** From a parsed client frame: the header without the request's {@code ref}. */
    public static Binary fromFrame(Principal principal, BinaryFrames.Parsed frame) {
      JsonObject header = frame.header().copy();
      header.remove("ref");
      return new Binary(principal, frame.channel(), header, java.util.Base64.getEncoder().encodeToString(frame.payload().getBytes()));
    }
  }
}
