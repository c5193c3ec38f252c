package io.sobranie.realtime.common.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code TRUSTED_PROXIES}: the IPs and CIDR ranges of the proxies whose {@code X-Forwarded-For}
 * is believed. The client address of a request is its socket peer, unless that peer is trusted:
 * then it is the right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy
 * (entries further left were written by whoever the first untrusted hop is, and may be forged).
 * Only IP literals are read, so no lookup ever blocks; nothing here resolves names.
 */
public final class TrustedProxies {
  /** Trusts nobody: the socket peer is always the client. */
  public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

  private final List<String> entries;
  private final List<Range> ranges;

  private TrustedProxies(List<String> entries, List<Range> ranges) {
    this.entries = List.copyOf(entries);
    this.ranges = List.copyOf(ranges);
  }

  /** A network: the first {@code bits} bits of {@code network} (4 or 16 bytes, nothing set after them). */
  private record Range(byte[] network, int bits) {
    boolean contains(byte[] address) {
      return address.length == network.length && Arrays.equals(masked(address, bits), network);
    }
  }

  /**
   * Parses entries such as {@code 10.0.0.2}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static TrustedProxies parse(List<String> entries) {
    List<Range> ranges = new ArrayList<>();
    for (String entry : entries) {
      ranges.add(range(entry));
    }
    return new TrustedProxies(entries, ranges);
  }

  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    String ip = slash < 0 ? entry : entry.substring(0, slash);
    boolean withPort = ip.startsWith("[") || (ip.indexOf(':') > 0 && ip.indexOf(':') == ip.lastIndexOf(':'));
    byte[] address = withPort ? null : address(ip);
    if (address == null) {
      throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range");
    }
    int max = address.length * 8;
    int bits = max;
    if (slash >= 0) {
      String prefix = entry.substring(slash + 1);
      if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > max) {
        throw new IllegalArgumentException("'" + entry + "' has a prefix length that is not 0.." + max);
      }
      bits = Integer.parseInt(prefix);
    }
    // 10.0.0.1/8 is more likely a typo for /32 than a way of writing 10.0.0.0/8: refuse it.
    if (!Arrays.equals(address, masked(address, bits))) {
      throw new IllegalArgumentException("'" + entry + "' has address bits set after the /" + bits + " prefix");
    }
    return new Range(address, bits);
  }

  /** {@code address} with every bit after the first {@code bits} cleared. */
  private static byte[] masked(byte[] address, int bits) {
    byte[] kept = new byte[address.length];
    int full = bits / 8;
    System.arraycopy(address, 0, kept, 0, full);
    int rest = bits % 8;
    if (rest > 0) {
      kept[full] = (byte) (address[full] & (0xFF << (8 - rest)));
    }
    return kept;
  }

  /**
   * The bytes of an IP literal (4 for IPv4 and IPv4-mapped IPv6, else 16), or null when the text is
   * not one. Accepts the forms found in {@code X-Forwarded-For}: {@code [v6]}, {@code [v6]:port},
   * {@code v4:port}.
   */
  static byte[] address(String text) {
    String literal = text.trim();
    if (literal.startsWith("[")) {
      int close = literal.indexOf(']');
      if (close < 0 || !(close == literal.length() - 1 || literal.charAt(close + 1) == ':')) {
        return null;
      }
      literal = literal.substring(1, close);
    } else if (literal.indexOf(':') > 0 && literal.indexOf(':') == literal.lastIndexOf(':')) {
      literal = literal.substring(0, literal.indexOf(':')); // IPv4 with a port
    }
    if (literal.indexOf('%') >= 0) {
      return null; // zone ids have no place in a forwarded address
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes).getAddress(); // IPv4-mapped IPv6 comes back as 4 bytes
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** True when no proxy is trusted. */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** True when {@code ip} (an IP literal) is one of the trusted proxies. */
  public boolean trusts(String ip) {
    byte[] address = ip == null ? null : address(ip);
    return address != null && trusts(address);
  }

  private boolean trusts(byte[] address) {
    for (Range range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client address of a request from {@code peer} carrying these {@code X-Forwarded-For}
   * headers (each a comma list, in the order received). Walking from the right, trusted proxies
   * are skipped; the first other entry is the client. An entry that is not an IP ends the walk:
   * the last hop known to be real is answered (the peer if none).
   */
  public String clientAddress(String peer, List<String> forwardedFor) {
    if (!trusts(peer) || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      hops.addAll(Arrays.asList(header.split(",")));
    }
    String known = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] hop = address(hops.get(i));
      if (hop == null) {
        return known;
      }
      known = text(hop);
      if (!trusts(hop)) {
        return known;
      }
    }
    return known; // every hop is a trusted proxy: the left-most is as far as we can see
  }

  private static String text(byte[] address) {
    try {
      return NetUtil.toAddressString(InetAddress.getByAddress(address));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
    }
  }

  @Override
  public String toString() {
    return String.join(",", entries);
  }
}
