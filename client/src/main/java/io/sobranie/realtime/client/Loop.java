package io.sobranie.realtime.client;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The client's own thread: every piece of session state is read and written here only, so none of
 * it needs a lock, and listeners see events one at a time in order. A daemon thread, so a client
 * left open does not keep the JVM alive.
 */
final class Loop {
  private static final System.Logger LOG = System.getLogger(Loop.class.getName());
  private static final AtomicInteger COUNT = new AtomicInteger();

  private volatile Thread thread;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread created = new Thread(task, "sobranie-realtime-client-" + COUNT.incrementAndGet());
    created.setDaemon(true);
    thread = created;
    return created;
  });

  /**
   * Runs {@code task} on the loop and answers its result: at once on the loop thread itself (a
   * listener calling the client), else after waiting for the loop.
   */
  <T> T call(Supplier<T> task) {
    if (Thread.currentThread() == thread) {
      return task.get();
    }
    try {
      return executor.submit(task::get).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RealtimeException(RealtimeException.CLOSED, "interrupted while waiting for the client");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (RejectedExecutionException closed) {
      throw new RealtimeException(RealtimeException.CLOSED, "the client is closed");
    }
  }

  /** Runs {@code task} on the loop; the answer completes with the future the task gives. */
  <T> CompletableFuture<T> async(Supplier<CompletableFuture<T>> task) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          task.get().whenComplete((value, failure) -> {
            if (failure != null) {
              answer.completeExceptionally(failure instanceof CompletionException c && c.getCause() != null
                  ? c.getCause() : failure);
            } else {
              answer.complete(value);
            }
          });
        } catch (RuntimeException e) {
          answer.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException closed) {
      answer.completeExceptionally(new RealtimeException(RealtimeException.CLOSED, "the client is closed"));
    }
    return answer;
  }

  /** Runs {@code task} on the loop; dropped once the loop is shut down (the client was closed). */
  void execute(Runnable task) {
    try {
      executor.execute(() -> run(task));
    } catch (RejectedExecutionException closed) {
      // the client is closed: nothing is left to update
    }
  }

  /** Runs {@code task} on the loop after {@code delayMs}; null once shut down. */
  ScheduledFuture<?> schedule(long delayMs, Runnable task) {
    try {
      return executor.schedule(() -> run(task), delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      return null;
    }
  }

  ScheduledFuture<?> every(long periodMs, Runnable task) {
    try {
      return executor.scheduleAtFixedRate(() -> run(task), periodMs, periodMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      return null;
    }
  }

  static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  void shutdown() {
    executor.shutdown();
  }

  /** A failing task is logged; it must not kill the thread (the periodic ones would stop). */
  private static void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "realtime client task failed", e);
    }
  }
}
