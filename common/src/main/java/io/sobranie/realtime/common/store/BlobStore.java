package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Uploaded files (PROTOCOL.md section 6, {@code /realtime/binary}): kept apart from the message
 * store, which is no place for megabytes. Ids are unguessable (≥ 128 random bits).
 */
public interface BlobStore {
  /** What is known of a stored blob. */
  record Blob(String id, String contentType, String filename, long size, long expiresAt) {
  }

  /**
   * Stores what {@code bytes} streams (paused; this store resumes it and applies backpressure),
   * never holding the whole of it in memory. Fails with {@link TooLargeException} as soon as more
   * than {@code maxBytes} arrive; a failed or refused upload leaves nothing behind.
   */
  Future<Blob> receive(ReadStream<Buffer> bytes, String contentType, String filename, long maxBytes);

  /** An upload went past its size cap. */
  final class TooLargeException extends RuntimeException {
    public TooLargeException(long maxBytes) {
      super("more than " + maxBytes + " bytes", null, false, false);
    }
  }

  /** The blob's description, or null when unknown or expired. */
  Future<Blob> describe(String id);

  /** The path of the blob's bytes (for sending without reading them into memory). */
  String path(String id);

  /** Deletes expired blobs. */
  Future<Void> sweep();
}
