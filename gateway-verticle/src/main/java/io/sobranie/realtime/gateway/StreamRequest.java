package io.sobranie.realtime.gateway;

import io.sobranie.realtime.common.RealtimeException;
import io.sobranie.realtime.common.auth.Principal;
import io.sobranie.realtime.common.channel.Channel;
import io.sobranie.realtime.common.channel.ChannelRules;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/** The {@code channels} parameter of SSE and long-poll requests, checked like WebSocket subscribes. */
final class StreamRequest {
  static final int MAX_CHANNELS = 50;

  private StreamRequest() {
  }

  /** The requested channels, each valid and subscribable; otherwise 400 / 403 before any streaming. */
  static List<String> channels(HttpServerRequest request, ChannelRules rules, Principal principal) {
    String param = request.getParam("channels");
    List<String> channels = new ArrayList<>();
    if (param == null || param.isBlank()) {
      return channels;
    }
    for (String name : param.split(",")) {
      Channel channel = Channel.parse(name.trim());
      rules.checkSubscribe(principal, channel);
      if (!channels.contains(channel.name())) {
        channels.add(channel.name());
      }
    }
    if (channels.size() > MAX_CHANNELS) {
      throw RealtimeException.badRequest("at most " + MAX_CHANNELS + " channels per stream");
    }
    return channels;
  }
}
