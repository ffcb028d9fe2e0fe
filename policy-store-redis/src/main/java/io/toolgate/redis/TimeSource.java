package io.toolgate.redis;

/** Which clock places a reservation in its window. */
public enum TimeSource {
  /**
   * The time the engine passes with each decision (its {@link java.time.Clock}). Every replica
   * must then keep its clock in sync (NTP); windows and retry-after agree with the engine's audit
   * and with a test clock. The default.
   */
  CALLER,
  /**
   * The Redis server's {@code TIME}, read inside the script: one clock for every replica, whatever
   * their own clocks say. The engine's {@code nowMillis} is then ignored, so a test clock has no
   * effect on the counts.
   */
  SERVER
}
