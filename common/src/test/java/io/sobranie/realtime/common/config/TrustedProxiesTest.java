package io.sobranie.realtime.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** TRUSTED_PROXIES: parsing, CIDR matching (IPv4 and IPv6), and the client address behind proxies. */
class TrustedProxiesTest {

  private static TrustedProxies trusted(String... entries) {
    return TrustedProxies.parse(List.of(entries));
  }

  @Test
  @DisplayName("a plain IPv4 address trusts exactly that address")
  void singleIpv4() {
    TrustedProxies p = trusted("10.0.0.2");
    assertTrue(p.trusts("10.0.0.2"));
    assertFalse(p.trusts("10.0.0.3"));
    assertFalse(p.trusts("10.0.0.20"));
  }

  @Test
  @DisplayName("IPv4 CIDR ranges match on the prefix bits, including prefixes that are not whole bytes")
  void ipv4Cidr() {
    TrustedProxies p = trusted("10.0.0.0/8", "192.168.4.0/22", "0.0.0.0/0");
    assertTrue(trusted("10.0.0.0/8").trusts("10.255.1.2"));
    assertFalse(trusted("10.0.0.0/8").trusts("11.0.0.1"));
    TrustedProxies slash22 = trusted("192.168.4.0/22");
    assertTrue(slash22.trusts("192.168.4.0"));
    assertTrue(slash22.trusts("192.168.7.255"));
    assertFalse(slash22.trusts("192.168.8.0"));
    assertFalse(slash22.trusts("192.168.3.255"));
    assertTrue(p.trusts("8.8.8.8"), "/0 is everything (IPv4)");
    assertFalse(trusted("0.0.0.0/0").trusts("::1"), "an IPv4 range never matches an IPv6 address");
  }

  @Test
  @DisplayName("IPv6 addresses and ranges match in any spelling; IPv4 ranges never match IPv6 and back")
  void ipv6() {
    TrustedProxies p = trusted("2001:db8::/32", "::1", "fd00:0:0:1::/64");
    assertTrue(p.trusts("2001:db8:ffff::1"));
    assertTrue(p.trusts("2001:0DB8:0000::0001"));
    assertFalse(p.trusts("2001:db9::1"));
    assertTrue(p.trusts("0:0:0:0:0:0:0:1"));
    assertTrue(p.trusts("fd00::1:abcd:0:0:1"));
    assertFalse(p.trusts("fd00::2:0:0:0:1"));
    assertFalse(trusted("::/0").trusts("10.0.0.1"), "an IPv6 range never matches an IPv4 address");
  }

  @Test
  @DisplayName("an IPv4-mapped IPv6 address is the IPv4 address")
  void ipv4MappedIpv6() {
    assertTrue(trusted("10.0.0.0/8").trusts("::ffff:10.1.2.3"));
  }

  @Test
  @DisplayName("bad entries are rejected naming the entry: names, bad prefixes, host bits after the prefix, zones, ports")
  void badEntries() {
    for (String bad : List.of("proxy.internal", "10.0.0", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/",
        "10.0.0.1/8", "2001:db8::/129", "2001:db8::1/32", "fe80::1%eth0", "1.2.3.4/8x", "::1::2",
        "10.0.0.2:80", "[::1]", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trusted(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  @DisplayName("TRUSTED_PROXIES is empty by default and a bad entry stops the start naming the key")
  void configKey() {
    assertTrue(ConfigLoader.load(Map.of("JWT_SECRET", "s")).trustedProxies().isEmpty());
    TrustedProxies p = ConfigLoader.load(Map.of("JWT_SECRET", "s", "TRUSTED_PROXIES", " 10.0.0.0/8 , ::1 ")).trustedProxies();
    assertTrue(p.trusts("10.9.9.9"));
    assertTrue(p.trusts("::1"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(Map.of("JWT_SECRET", "s", "TRUSTED_PROXIES", "10.0.0.0/8,lb.local")));
    assertTrue(e.getMessage().startsWith("TRUSTED_PROXIES"), e.getMessage());
    assertTrue(e.getMessage().contains("lb.local"), e.getMessage());
  }

  // ---------------------------------------------------------------- client address

  @Test
  @DisplayName("with no trusted proxies the peer is the client, whatever X-Forwarded-For says")
  void nobodyTrusted() {
    assertEquals("10.0.0.2", TrustedProxies.NONE.clientAddress("10.0.0.2", List.of("203.0.113.7")));
  }

  @Test
  @DisplayName("an untrusted peer is the client even with X-Forwarded-For")
  void untrustedPeerIsTheClient() {
    assertEquals("198.51.100.9", trusted("10.0.0.0/8").clientAddress("198.51.100.9", List.of("203.0.113.7")));
  }

  @Test
  @DisplayName("a trusted peer without X-Forwarded-For is the client")
  void trustedPeerWithoutHeader() {
    assertEquals("10.0.0.2", trusted("10.0.0.2").clientAddress("10.0.0.2", List.of()));
  }

  @Test
  @DisplayName("a trusted peer: the right-most forwarded address that is not a trusted proxy is the client")
  void rightMostUntrusted() {
    TrustedProxies p = trusted("10.0.0.0/8");
    assertEquals("203.0.113.7", p.clientAddress("10.0.0.2", List.of("203.0.113.7")));
    assertEquals("203.0.113.7", p.clientAddress("10.0.0.2", List.of("203.0.113.7, 10.1.1.1")));
    assertEquals("203.0.113.7", p.clientAddress("10.0.0.2", List.of("203.0.113.7,10.1.1.1,10.2.2.2")));
  }

  @Test
  @DisplayName("spoofed entries left of the real client are ignored")
  void spoofedChain() {
    TrustedProxies p = trusted("10.0.0.0/8");
    // The client sent "X-Forwarded-For: 1.1.1.1, 10.0.0.5"; our proxy appended the address it saw.
    assertEquals("203.0.113.7", p.clientAddress("10.0.0.2", List.of("1.1.1.1, 10.0.0.5, 203.0.113.7")));
    // A client claiming to be a trusted proxy does not get past its own address.
    assertEquals("203.0.113.7", p.clientAddress("10.0.0.2", List.of("10.9.9.9, 203.0.113.7, 10.0.0.3")));
  }

  @Test
  @DisplayName("several X-Forwarded-For headers are one list, in order")
  void severalHeaders() {
    TrustedProxies p = trusted("10.0.0.0/8");
    assertEquals("203.0.113.7", p.clientAddress("10.0.0.2", List.of("1.1.1.1", "203.0.113.7", "10.0.0.9")));
  }

  @Test
  @DisplayName("IPv6 chains, with brackets and ports, give the address in canonical form")
  void ipv6Chain() {
    TrustedProxies p = trusted("fd00::/8", "10.0.0.0/8");
    assertEquals("2001:db8::7", p.clientAddress("fd00::2", List.of("2001:db8:0:0:0:0:0:7, fd00::3")));
    assertEquals("2001:db8::7", p.clientAddress("fd00::2", List.of("[2001:db8::7]:443")));
    assertEquals("203.0.113.7", p.clientAddress("10.0.0.2", List.of("203.0.113.7:51234")));
  }

  @Test
  @DisplayName("an entry that is not an IP ends the walk at the last real hop")
  void garbageEntry() {
    TrustedProxies p = trusted("10.0.0.0/8");
    assertEquals("10.0.0.2", p.clientAddress("10.0.0.2", List.of("203.0.113.7, unknown")));
    assertEquals("10.0.0.5", p.clientAddress("10.0.0.2", List.of("evil.example, 10.0.0.5")));
    assertEquals("10.0.0.2", p.clientAddress("10.0.0.2", List.of("")));
  }

  @Test
  @DisplayName("when every hop is a trusted proxy, the left-most is answered")
  void allTrusted() {
    assertEquals("10.0.0.4", trusted("10.0.0.0/8").clientAddress("10.0.0.2", List.of("10.0.0.4, 10.0.0.3")));
  }

  @Test
  @DisplayName("address literals: forms accepted and refused")
  void addressLiterals() {
    assertEquals(4, TrustedProxies.address("1.2.3.4").length);
    assertEquals(4, TrustedProxies.address("1.2.3.4:80").length);
    assertEquals(16, TrustedProxies.address("[::1]").length);
    assertEquals(16, TrustedProxies.address("[::1]:80").length);
    assertNull(TrustedProxies.address("[::1"));
    assertNull(TrustedProxies.address("[::1]x"));
    assertNull(TrustedProxies.address("localhost"));
    assertNull(TrustedProxies.address("1.2.3"));
    assertNull(TrustedProxies.address("fe80::1%1"));
  }
}
