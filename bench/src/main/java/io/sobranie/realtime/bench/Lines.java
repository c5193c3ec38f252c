package io.sobranie.realtime.bench;

import java.nio.charset.StandardCharsets;

/**
 * Byte scans over server text frames (copied once into an array: a bounds-checked Buffer read
 * per byte cost more than the copy), so the tool never parses JSON per message. A frame holds
 * one or more JSON objects separated by {@code \n}; every object the server writes starts with
 * {@code {"type":"}.
 */
final class Lines {
  static final byte[] TYPE = ascii("{\"type\":\"");
  static final byte[] MESSAGE = ascii("message\"");
  static final byte[] ACK = ascii("ack\"");
  static final byte[] ERROR = ascii("error\"");
  static final byte[] SUBSCRIBED = ascii("subscribed\"");
  static final byte[] CONNECTED = ascii("connected\"");
  static final byte[] SEQ = ascii("\"seq\":");
  /** The tool's own payload: {@code {"bn":<message number>,"bt":<System.nanoTime at send>}}. */
  static final byte[] NUMBER = ascii("\"bn\":");
  static final byte[] TIME = ascii("\"bt\":");

  private Lines() {
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The end (exclusive) of the line starting at {@code from}: the next {@code \n} or {@code end}. */
  static int lineEnd(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return end;
  }

  /** Whether the object at {@code [from, end)} has the given type. */
  static boolean isType(byte[] b, int from, int end, byte[] type) {
    return startsWith(b, from, end, TYPE) && startsWith(b, from + TYPE.length, end, type);
  }

  static boolean startsWith(byte[] b, int at, int end, byte[] bytes) {
    if (at + bytes.length > end) {
      return false;
    }
    for (int i = 0; i < bytes.length; i++) {
      if (b[at + i] != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  /** Position just after the first {@code marker} in {@code [from, end)}, or -1. */
  static int find(byte[] b, int from, int end, byte[] marker) {
    byte first = marker[0];
    for (int i = from; i + marker.length <= end; i++) {
      if (b[i] == first && startsWith(b, i, end, marker)) {
        return i + marker.length;
      }
    }
    return -1;
  }

  /** The non-negative integer right after {@code marker} in {@code [from, end)}, or -1 if absent. */
  static long longAfter(byte[] b, int from, int end, byte[] marker) {
    int i = find(b, from, end, marker);
    if (i < 0) {
      return -1;
    }
    while (i < end && b[i] == ' ') {
      i++;
    }
    long value = 0;
    int digits = 0;
    for (; i < end; i++, digits++) {
      byte c = b[i];
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
    }
    return digits == 0 ? -1 : value;
  }
}
