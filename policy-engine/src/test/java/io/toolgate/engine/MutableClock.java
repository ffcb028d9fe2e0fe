package io.toolgate.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock for engine tests that moves when told. (Users get {@code TestClock} in the testkit.) */
public final class MutableClock extends Clock {
  private volatile Instant now;

  /** A clock at {@code start}, an ISO-8601 instant. */
  public MutableClock(String start) {
    this.now = Instant.parse(start);
  }

  /** Moves the clock by {@code d} (back, if negative). */
  public void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
