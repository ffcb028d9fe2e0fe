package io.toolgate.redis.internal;

import io.toolgate.redis.RedisStoreException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** How a failed exchange with Redis is said: one {@link RedisStoreException} with its cause. */
public final class Failures {
  private Failures() {}

  /**
   * {@code error} (unwrapped from a {@link CompletionException}) as a {@link RedisStoreException}:
   * itself if it is one, "did not answer ... within" for a timeout, "failed to ..." otherwise.
   */
  public static RedisStoreException of(String operation, Throwable error, long timeoutMillis) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof RedisStoreException stored) {
      return stored;
    }
    if (cause instanceof TimeoutException) {
      return new RedisStoreException("Redis did not answer " + operation + " within " + timeoutMillis + " ms", cause);
    }
    return new RedisStoreException("Redis failed to " + operation + ": " + cause.getMessage(), cause);
  }
}
