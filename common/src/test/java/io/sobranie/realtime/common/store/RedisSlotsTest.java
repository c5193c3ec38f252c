package io.sobranie.realtime.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Redis Cluster's slot function, checked against values from the Redis Cluster specification and Redis itself. */
class RedisSlotsTest {

  @Test
  @DisplayName("CRC16 is Redis Cluster's (XMODEM): the spec's check value for 123456789 is 0x31C3")
  void crc16MatchesTheSpecification() {
    assertEquals(0x31C3, RedisSlots.crc16("123456789".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  @DisplayName("slots match the CLUSTER KEYSLOT examples of the Redis documentation (somekey 11058, foo{hash_tag} 2515)")
  void slotsMatchRedis() {
    assertEquals(11058, RedisSlots.slotOfTag("somekey"));
    assertEquals(2515, RedisSlots.slotOfTag("hash_tag"));
  }

  @Test
  @DisplayName("every slot has a tag that hashes to it")
  void everySlotHasATag() {
    for (int slot = 0; slot < RedisSlots.SLOTS; slot++) {
      assertEquals(slot, RedisSlots.slotOfTag(RedisSlots.tagOfSlot(slot)));
    }
  }
}
