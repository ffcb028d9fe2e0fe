package io.toolgate.spring.autoconfigure;

import java.time.Duration;

/**
 * Asks a remote counter store whether it answers, for the {@code toolgate} health indicator.
 * {@code toolgate.store=redis} defines one ({@link ToolgateRedis}); an application with a store of
 * its own may define a bean of this type for its store.
 */
@FunctionalInterface
public interface ToolgateStoreProbe {
  /**
   * Asks the store, waiting at most {@code timeout}.
   *
   * @return the store's answer, for the health details (Redis: {@code PONG})
   * @throws Exception if the store cannot be reached or does not answer in time
   */
  String ping(Duration timeout) throws Exception;
}
