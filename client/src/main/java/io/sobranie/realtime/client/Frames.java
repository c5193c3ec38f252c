package io.sobranie.realtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;

/**
 * The frame {@code type}s of docs/protocol.md section 3 and the client frames this library sends.
 * The server's own list is {@code FrameType} in the server's common module; a test of this module
 * checks that both agree, so the client needs no server module at run time.
 */
final class Frames {
  private Frames() {
  }

  // client → server
  static final String SUBSCRIBE = "subscribe";
  static final String UNSUBSCRIBE = "unsubscribe";
  static final String MESSAGE = "message";
  static final String TYPING = "typing";
  static final String PRESENCE = "presence";
  static final String READ = "read";
  static final String SIGNAL = "signal";
  static final String PING = "ping";

  // server → client (besides message, typing, presence and signal)
  static final String CONNECTED = "connected";
  static final String SUBSCRIBED = "subscribed";
  static final String UNSUBSCRIBED = "unsubscribed";
  static final String ACK = "ack";
  static final String PONG = "pong";
  static final String ERROR = "error";
  static final String PRESENCE_STATE = "presence_state";
  static final String NOTIFICATION = "notification";
  static final String UNREAD_COUNT = "unread_count";
  static final String RECONNECT = "reconnect";

  static final String NOTIFICATIONS = "notifications";
  static final String BROADCAST = "broadcast";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static ObjectNode typed(String type, String ref) {
    ObjectNode frame = NODES.objectNode().put("type", type);
    return ref == null ? frame : frame.put("ref", ref);
  }

  static ObjectNode subscribe(String channel, Position since, String ref) {
    ObjectNode frame = typed(SUBSCRIBE, ref).put("channel", channel);
    if (since != null) {
      frame.put("since", since.seq());
      if (since.epoch() != null) {
        frame.put("epoch", since.epoch());
      }
    }
    return frame;
  }

  static ObjectNode unsubscribe(String channel, String ref) {
    return typed(UNSUBSCRIBE, ref).put("channel", channel);
  }

  static ObjectNode message(String channel, JsonNode data, String idem, String ref) {
    ObjectNode frame = typed(MESSAGE, ref).put("channel", channel);
    frame.set("data", data);
    return frame.put("idem", idem);
  }

  static ObjectNode typing(String channel, boolean active) {
    return typed(TYPING, null).put("channel", channel).put("active", active);
  }

  static ObjectNode presenceOfChannel(String channel, String ref) {
    return typed(PRESENCE, ref).put("channel", channel);
  }

  static ObjectNode presenceOfUsers(Collection<String> users, String ref) {
    ObjectNode frame = typed(PRESENCE, ref);
    users.forEach(frame.putArray("users")::add);
    return frame;
  }

  static ObjectNode read(long upTo, String ref) {
    return typed(READ, ref).put("upTo", upTo);
  }

  static ObjectNode signal(String to, String signal, JsonNode payload, String ref) {
    ObjectNode frame = typed(SIGNAL, ref).put("to", to).put("signal", signal);
    if (payload != null) {
      frame.set("payload", payload);
    }
    return frame;
  }

  /** The header of an outgoing binary frame. */
  static ObjectNode binaryHeader(String channel, String contentType, String filename, String ref) {
    ObjectNode header = NODES.objectNode().put("channel", channel);
    if (contentType != null) {
      header.put("contentType", contentType);
    }
    if (filename != null) {
      header.put("filename", filename);
    }
    return header.put("ref", ref);
  }
}
