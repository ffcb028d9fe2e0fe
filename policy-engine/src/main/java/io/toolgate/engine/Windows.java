package io.toolgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.engine.internal.load.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * The window and duration syntax of policies and scenarios: {@code second}, {@code minute},
 * {@code hour}, {@code day}, a whole number of seconds ({@code 60} or {@code "60"}), or a number
 * with a unit ({@code 30s 5m 2h 1d}); at least one second, at most a century.
 */
public final class Windows {
  /** What a window may be, for error messages. */
  public static final String EXPECTED = Durations.EXPECTED;

  private Windows() {}

  /** The duration {@code text} spells, or empty when it spells none. */
  public static Optional<Duration> parse(String text) {
    return millis(Durations.parseMillis(text));
  }

  /** The duration a JSON or YAML value (a number of seconds or a text) spells, or empty. */
  public static Optional<Duration> parse(JsonNode node) {
    return millis(Durations.parseMillis(node));
  }

  private static Optional<Duration> millis(Long millis) {
    return Optional.ofNullable(millis).map(Duration::ofMillis);
  }
}
