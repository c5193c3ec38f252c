package io.sobranie.realtime.common.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Uploaded files (PROTOCOL.md section 6, {@code /realtime/binary}): kept apart from the message
 * store, which is no place for megabytes. Ids are unguessable (≥ 128 random bits).
 */
public interface BlobStore {
  /** What is known of a stored blob. */
  record Blob(String id, String contentType, String filename, long size, long expiresAt) {
  }

  Future<Blob> put(Buffer bytes, String contentType, String filename);

  /** The blob's description, or null when unknown or expired. */
  Future<Blob> describe(String id);

  /** The path of the blob's bytes (for sending without reading them into memory). */
  String path(String id);

  /** Deletes expired blobs. */
  Future<Void> sweep();
}
