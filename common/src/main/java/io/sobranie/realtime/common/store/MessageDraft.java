package io.sobranie.realtime.common.store;

/** A message about to be appended: everything but its seq. {@code data} is encoded JSON text. */
public record MessageDraft(String id, String from, String kind, String data, long ts) {
  StoredMessage withSeq(long seq) {
    return new StoredMessage(seq, id, from, kind, data, ts);
  }
}
