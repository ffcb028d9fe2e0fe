package io.toolgate.benchmarks;

import io.toolgate.engine.Policy;

/** The policies the benchmarks decide against, as text, so a reader sees exactly what is measured. */
final class Policies {
  /**
   * The seed policy of DESIGN.md with its max raised so that every call of a run is admitted: what
   * is measured is the cost of an admitted call, the common case, and the peers are configured the
   * same way (a capacity no run exhausts).
   */
  static final long NEVER_REACHED = 1_000_000_000L; // the largest max a policy may give

  static final String SEED =
      "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\"create_compile\":{\"limits\":["
          + "{\"counter\":\"create_compile_rate\",\"window\":\"minute\",\"max\":" + NEVER_REACHED
          + ",\"scope\":\"grant\"}]}}}";

  /** One exact tool name, no counters, no conditions. */
  static final String PLAIN_ALLOW =
      "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\"read_file\":{}}}";

  private Policies() {}

  static Policy parse(String text) {
    return Policy.parse(text);
  }
}
