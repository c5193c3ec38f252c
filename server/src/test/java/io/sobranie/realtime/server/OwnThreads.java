package io.sobranie.realtime.server;

import java.util.concurrent.Executor;

/**
 * An executor that runs each task on a new daemon thread, for test work that blocks (a held
 * poll, a SIGTERM and its wait). {@code CompletableFuture}'s default pool has about as many
 * threads as cores and does not add any for a task blocked outside it: there, a twelfth held
 * poll waits for the first to end, and the work queued after it (the SIGTERM) too.
 */
final class OwnThreads {
  static final Executor EACH = task -> {
    Thread thread = new Thread(task, "test-task");
    thread.setDaemon(true);
    thread.start();
  };

  private OwnThreads() {
  }
}
