package io.sobranie.realtime.common;

/** Every event-bus address the realtime services use, defined once. */
public final class Addresses {
  private Addresses() {
  }

  /** gateway → chat (request/reply): a client's channel message. Reply: {@link io.sobranie.realtime.common.bus.Ack}. */
  public static final String CHAT_MESSAGE = "realtime.chat.message";
  /**
   * gateway → chat (request/reply): is this client message a repeat of an idem key? Reply: the
   * original's {@link io.sobranie.realtime.common.bus.Ack}, or an empty object. Stores nothing.
   */
  public static final String CHAT_REPEAT = "realtime.chat.repeat";
  /** gateway → chat: a typing indicator. */
  public static final String CHAT_TYPING = "realtime.chat.typing";
  /** gateway → chat: a WebRTC signal. */
  public static final String CHAT_SIGNAL = "realtime.chat.signal";
  /** gateway → chat (request/reply): a client's binary frame to relay live. Reply: {@code {channel, id, ts}}. */
  public static final String CHAT_BINARY = "realtime.chat.binary";

  /** services → chat (request/reply): publish on a channel as a service. */
  public static final String PUBLISH = "realtime.publish";
  /** services → chat (request/reply): broadcast to a channel or to every connection. */
  public static final String BROADCAST = "realtime.broadcast";

  public static final String PRESENCE_CONNECT = "realtime.presence.connect";
  public static final String PRESENCE_DISCONNECT = "realtime.presence.disconnect";
  public static final String PRESENCE_JOIN = "realtime.presence.join";
  public static final String PRESENCE_LEAVE = "realtime.presence.leave";
  public static final String PRESENCE_QUERY = "realtime.presence.query";
  /**
   * services → presence (request/reply): close every WebSocket and SSE connection of a user on
   * every node. Reply: {@code {closed: N}}, counted from the registry just before.
   */
  public static final String PRESENCE_DISCONNECT_USER = "realtime.presence.disconnect-user";

  public static final String NOTIFY = "realtime.notify";
  public static final String NOTIFY_READ = "realtime.notify.read";
  public static final String NOTIFY_UNREAD = "realtime.notify.unread";
  /** Published by the notification service for push gateways. */
  public static final String OFFLINE_NOTIFICATION = "realtime.offline.notification";

  /**
   * Published by every node once a second: its {@link io.sobranie.realtime.common.bus.NodeStats}.
   * Every gateway keeps the latest per node for the admin page ({@code GET /realtime/admin/stats}).
   */
  public static final String ADMIN_STATS = "realtime.admin.stats";

  /** Published to every gateway node's Hub: one {@link io.sobranie.realtime.common.bus.Envelope} per event. */
  public static final String DELIVER = "realtime.deliver";
}
