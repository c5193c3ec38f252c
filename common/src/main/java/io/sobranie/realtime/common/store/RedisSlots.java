package io.sobranie.realtime.common.store;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's key slots: {@code CRC16(tag) mod 16384} of a key's hash tag. A script may touch
 * only keys of one slot; {@link #tagOfSlot} names, for any slot, a short hash tag that lands in it,
 * so a script of one channel can also reach a per-slot key (e.g. the slot's store generation)
 * without a key per channel.
 */
final class RedisSlots {
  static final int SLOTS = 16384;
  /** For each slot, the first of {@code g0, g1, g2, …} that hashes to it. */
  private static final String[] TAGS = tags();

  private RedisSlots() {
  }

  /** The slot of a hash tag (the text between a key's first braces). */
  static int slotOfTag(String tag) {
    return crc16(tag.getBytes(StandardCharsets.UTF_8)) & (SLOTS - 1);
  }

  /** A hash tag whose slot is {@code slot}. */
  static String tagOfSlot(int slot) {
    return TAGS[slot];
  }

  private static String[] tags() {
    String[] tags = new String[SLOTS];
    int found = 0;
    for (int n = 0; found < SLOTS; n++) {
      String tag = "g" + n;
      int slot = slotOfTag(tag);
      if (tags[slot] == null) {
        tags[slot] = tag;
        found++;
      }
    }
    return tags;
  }

  /** CRC16-CCITT (XMODEM), as Redis Cluster computes it. */
  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xffff;
  }
}
