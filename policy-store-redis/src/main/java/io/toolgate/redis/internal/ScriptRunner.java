package io.toolgate.redis.internal;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a script by its SHA ({@code EVALSHA}); when Redis no longer knows it (a restart, a {@code
 * SCRIPT FLUSH}, a failover to a node that never saw it) runs it once by its body ({@code EVAL}),
 * which also caches it again. The whole exchange answers within the timeout or fails with a {@link
 * TimeoutException} (at most an eighth of the timeout late: see {@link Deadlines}), and a command
 * that timed out is cancelled so it is never sent late.
 */
public final class ScriptRunner {
  private final RedisScriptingAsyncCommands<String, String> commands;
  private final Deadlines deadlines;

  /**
   * @param timer where timeouts fire (Lettuce's event executors, so that what follows a timed-out
   *     call never runs on a JDK-wide timer thread)
   */
  public ScriptRunner(
      RedisScriptingAsyncCommands<String, String> commands, long timeoutNanos, ScheduledExecutorService timer) {
    this.commands = commands;
    this.deadlines = new Deadlines(timeoutNanos, timer);
  }

  /** Loads {@code script} into the script cache ahead of its first use; returns its SHA. */
  public CompletableFuture<String> preload(Script script) {
    try {
      return commands.scriptLoad(script.body()).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Runs {@code script}; completes with its multi-bulk reply, or exceptionally. */
  public CompletableFuture<List<Object>> run(Script script, String[] keys, String[] args) {
    AtomicReference<RedisFuture<?>> inFlight = new AtomicReference<>();
    CompletableFuture<List<Object>> result = new CompletableFuture<>();
    RedisFuture<List<Object>> bySha;
    try {
      bySha = commands.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
    } catch (RuntimeException e) { // a closed connection may refuse at once rather than fail the future
      return CompletableFuture.failedFuture(e);
    }
    inFlight.set(bySha);
    bySha.whenComplete(
        (reply, error) -> {
          if (error == null) {
            result.complete(reply);
          } else if (isNoScript(error) && !result.isDone()) {
            RedisFuture<List<Object>> byBody;
            try {
              byBody = commands.eval(script.body(), ScriptOutputType.MULTI, keys, args);
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
              return;
            }
            inFlight.set(byBody);
            byBody.whenComplete(
                (again, failure) -> {
                  if (failure == null) {
                    result.complete(again);
                  } else {
                    result.completeExceptionally(failure);
                  }
                });
          } else {
            result.completeExceptionally(error);
          }
        });
    return withTimeout(result, inFlight);
  }

  private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> result, AtomicReference<RedisFuture<?>> inFlight) {
    try {
      deadlines.add(result, () -> {
        if (result.completeExceptionally(new TimeoutException())) {
          RedisFuture<?> command = inFlight.get();
          if (command != null) {
            command.cancel(false);
          }
        }
      });
    } catch (RejectedExecutionException e) { // the client is shutting down
      result.completeExceptionally(e);
    }
    return result;
  }

  private static boolean isNoScript(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof RedisNoScriptException
        || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
  }
}
