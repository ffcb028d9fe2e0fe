package io.toolgate.gateway;

import io.toolgate.engine.Windows;
import java.time.Duration;
import java.util.Optional;

/** How {@link GatewayConfig} reads and checks its values; every message names the key. */
final class ConfigValues {
  /** The longest duration in milliseconds taken, as {@link Windows#parse} takes at most a century. */
  private static final Duration LONGEST = Duration.ofDays(36_500);

  private ConfigValues() {}

  static void atLeast(String key, Integer value, int least) {
    if (value != null && value < least) {
      throw new IllegalArgumentException(key + ": must be at least " + least + ", was " + value);
    }
  }

  /** {@code text} as a duration ({@code 50ms}, or what {@link Windows#parse} reads), {@code unset} if null. */
  static Duration duration(String key, String text, Duration unset, boolean zeroAllowed) {
    if (text == null) {
      return unset;
    }
    String stripped = text.strip();
    Optional<Duration> parsed;
    if (stripped.endsWith("ms")) {
      try {
        parsed = Optional.of(Duration.ofMillis(Long.parseLong(stripped.substring(0, stripped.length() - 2).strip())))
            .filter(millis -> millis.compareTo(LONGEST) <= 0);
      } catch (NumberFormatException e) {
        parsed = Optional.empty();
      }
    } else if (zeroAllowed && (stripped.equals("0") || stripped.equals("0s"))) {
      parsed = Optional.of(Duration.ZERO);
    } else {
      parsed = Windows.parse(stripped);
    }
    return parsed.filter(duration -> !duration.isNegative() && (zeroAllowed || !duration.isZero()))
        .orElseThrow(() -> new IllegalArgumentException(key + ": \"" + text + "\" is not a "
            + (zeroAllowed ? "" : "positive ") + "duration; expected 50ms, 2s or " + Windows.EXPECTED));
  }

  static java.net.URI httpUrl(String key, String url) {
    java.net.URI uri;
    try {
      uri = url == null ? null : new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(key + ": \"" + url + "\" is not a URL", e);
    }
    if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new IllegalArgumentException(key + ": \"" + url + "\" is not an absolute http or https URL");
    }
    return uri;
  }
}
