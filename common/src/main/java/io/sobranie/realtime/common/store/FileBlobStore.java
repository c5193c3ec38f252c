package io.sobranie.realtime.common.store;

import io.sobranie.realtime.common.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Promise;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
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
  private static final long ABANDONED_UPLOAD_MS = 3_600_000;

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
  public Future<Blob> receive(ReadStream<Buffer> bytes, String contentType, String filename, long maxBytes) {
    String id = Ids.secret(18);
    String partial = path(id) + ".part";
    return fs.open(partial, new OpenOptions().setWrite(true).setCreateNew(true))
        .compose(file -> copy(bytes, file, maxBytes)
            .compose(size -> file.close().map(size))
            .recover(failure -> file.close().transform(closed -> Future.<Long>failedFuture(failure))))
        .compose(size -> {
          Blob blob = new Blob(id, contentType, filename, size, clock.getAsLong() + ttlMs);
          JsonObject meta = new JsonObject().put("contentType", contentType).put("filename", filename)
              .put("size", size).put("expiresAt", blob.expiresAt());
          // bytes first: a description never points at missing bytes
          return fs.move(partial, path(id)).compose(v -> fs.writeFile(metaPath(id), meta.toBuffer())).map(blob);
        })
        .recover(failure -> fs.delete(partial).transform(deleted -> Future.failedFuture(failure)));
  }

  /** Copies {@code from} into {@code file} with backpressure; fails past {@code maxBytes}. Answers the size. */
  private static Future<Long> copy(ReadStream<Buffer> from, AsyncFile file, long maxBytes) {
    Promise<Long> done = Promise.promise();
    long[] size = {0};
    from.handler(chunk -> {
      if (done.future().isComplete()) {
        return;
      }
      size[0] += chunk.length();
      if (size[0] > maxBytes) {
        done.tryFail(new TooLargeException(maxBytes));
        return;
      }
      file.write(chunk).onFailure(done::tryFail);
      if (file.writeQueueFull()) {
        from.pause();
        file.drainHandler(v -> from.resume());
      }
    });
    from.exceptionHandler(done::tryFail);
    from.endHandler(v -> done.tryComplete(size[0]));
    from.resume();
    return done.future();
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
    Future<Void> expired = fs.readDir(dir.toString(), ".*\\.json").compose(files -> {
      List<Future<?>> checks = new ArrayList<>();
      for (String file : files) {
        String id = Path.of(file).getFileName().toString().replace(".json", "");
        checks.add(describe(id).compose(blob -> blob != null ? Future.succeededFuture()
            : fs.delete(path(id)).recover(e -> Future.succeededFuture())
                .compose(v -> fs.delete(metaPath(id))).recover(e -> Future.succeededFuture())));
      }
      return Future.join(checks).mapEmpty();
    });
    // Uploads cut off by a crash leave a .part file; one older than an upload can take is garbage.
    Future<Void> abandoned = fs.readDir(dir.toString(), ".*\\.part").compose(files -> {
      long cutoff = System.currentTimeMillis() - ABANDONED_UPLOAD_MS;
      List<Future<?>> checks = new ArrayList<>();
      for (String file : files) {
        checks.add(fs.props(file).compose(props -> props.lastModifiedTime() < cutoff ? fs.delete(file) : Future.succeededFuture())
            .recover(e -> Future.succeededFuture()));
      }
      return Future.join(checks).mapEmpty();
    });
    return Future.join(expired, abandoned).mapEmpty();
  }
}
