package io.sobranie.realtime.common.bus;

import io.vertx.core.Vertx;

/** Registers the event-bus codecs of the realtime records; call once per Vert.x instance. */
public final class Codecs {
  private Codecs() {
  }

  public static void register(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeCodec());
    vertx.eventBus().registerCodec(new JsonByReference());
  }
}
