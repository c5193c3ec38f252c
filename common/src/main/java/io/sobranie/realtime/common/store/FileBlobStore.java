package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Blobs as files in a directory: {@code ID.bin} holds the bytes, {@code ID.json} the content
 * type, file name, size and expiry. All IO goes through Vert.x's asynchronous file system. In a
 * cluster every gateway must see the same directory (a shared volume).
 */
public final class FileBlobStore implements BlobStore {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22,64}");

  private final FileSystem fs;
  private final Path dir;
  private final long ttlMs;
  private final LongSupplier clock;

  public FileBlobStore(Vertx vertx, Path dir, long ttlMs, LongSupplier clock) {
    this.fs = vertx.fileSystem();
    this.dir = dir;
    this.ttlMs = ttlMs;
    this.clock = clock;
  }

  /** Creates the directory if needed. */
  public Future<FileBlobStore> init() {
    return fs.mkdirs(dir.toString()).map(this);
  }

  @Override
  public Future<Blob> put(Buffer bytes, String contentType, String filename) {
    Blob blob = new Blob(Ids.secret(18), contentType, filename, bytes.length(), clock.getAsLong() + ttlMs);
    JsonObject meta = new JsonObject().put("contentType", contentType).put("filename", filename)
        .put("size", blob.size()).put("expiresAt", blob.expiresAt());
    // bytes first: a description never points at missing bytes
    return fs.writeFile(path(blob.id()), bytes)
        .compose(v -> fs.writeFile(metaPath(blob.id()), meta.toBuffer()))
        .map(blob);
  }

  @Override
  public Future<Blob> describe(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Future.succeededFuture(null);
    }
    return fs.exists(metaPath(id)).compose(exists -> !exists ? Future.succeededFuture(null)
        : fs.readFile(metaPath(id)).map(bytes -> {
          JsonObject meta = new JsonObject(bytes);
          Blob blob = new Blob(id, meta.getString("contentType"), meta.getString("filename"),
              meta.getLong("size"), meta.getLong("expiresAt"));
          return blob.expiresAt() > clock.getAsLong() ? blob : null;
        }));
  }

  @Override
  public String path(String id) {
    return dir.resolve(id + ".bin").toString();
  }

  private String metaPath(String id) {
    return dir.resolve(id + ".json").toString();
  }

  @Override
  public Future<Void> sweep() {
    return fs.readDir(dir.toString(), ".*\\.json").compose(files -> {
      List<Future<?>> checks = new ArrayList<>();
      for (String file : files) {
        String id = Path.of(file).getFileName().toString().replace(".json", "");
        checks.add(describe(id).compose(blob -> blob != null ? Future.succeededFuture()
            : fs.delete(path(id)).recover(e -> Future.succeededFuture())
                .compose(v -> fs.delete(metaPath(id))).recover(e -> Future.succeededFuture())));
      }
      return Future.join(checks).mapEmpty();
    });
  }
}
