package io.toolgate.scenarios;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that moves only when told to, for policy tests: windows, retry-after and approval
 * expiry all read it. Thread-safe; always UTC.
 */
public final class TestClock extends Clock {
  private volatile Instant now;

  private TestClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  /** A clock standing at {@code start}. */
  public static TestClock at(Instant start) {
    return new TestClock(start);
  }

  /** A clock standing at an ISO-8601 instant such as {@code 2026-01-01T10:00:30Z}. */
  public static TestClock at(String start) {
    return new TestClock(Instant.parse(start));
  }

  /** Moves the clock forward by {@code amount} (which must not be negative). */
  public synchronized void advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a test clock only moves forward; got " + amount);
    }
    now = now.plus(amount);
  }

  /** Sets the clock to {@code instant}, forward or back. */
  public void set(Instant instant) {
    now = Objects.requireNonNull(instant, "instant");
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public long millis() {
    return now.toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!ZoneOffset.UTC.equals(zone.normalized())) {
      throw new IllegalArgumentException("a TestClock is always UTC; got " + zone);
    }
    return this;
  }

  @Override
  public String toString() {
    return "TestClock[" + now + "]";
  }
}
