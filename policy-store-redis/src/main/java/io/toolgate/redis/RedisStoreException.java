package io.toolgate.redis;

/**
 * Redis did not answer in time, could not be reached, or refused a command. The engine turns it
 * into a denial ("policy state unavailable"), or an allowance where fail-open is configured.
 */
public final class RedisStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}, caused by Lettuce's {@code cause}. */
  public RedisStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
