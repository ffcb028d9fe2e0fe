package io.toolgate.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The indexed sliding log against a plain one (a list scanned from the oldest entry), over random
 * reservations, refunds and lagging clocks; and the work one decision takes on
 * a log an agent filled with tiny costs.
 */
class SlidingLogCounterTest {
  private static final long T0 = 1_767_261_600_000L;

  /** The plain log: the same rules, each decision scanning every entry. */
  private static final class PlainLog {
    final List<long[]> entries = new ArrayList<>(); // {time, cost}
    long latest; // the latest time logged, refunded entries too, since the log was last empty

    long effectiveTime(long now) {
      return entries.isEmpty() ? now : Math.max(now, latest);
    }

    void expire(long at, long window) {
      entries.removeIf(e -> e[0] + window <= at);
    }

    long waitFor(long cost, long max, long now, long window) {
      if (cost > max) {
        return Long.MAX_VALUE;
      }
      expire(effectiveTime(now), window);
      long remaining = entries.stream().mapToLong(e -> e[1]).sum();
      if (remaining + cost <= max) {
        return 0;
      }
      for (int i = 0; i < entries.size(); i++) {
        remaining -= entries.get(i)[1];
        if (remaining + cost <= max || i == entries.size() - 1) {
          return entries.get(i)[0] + window - now;
        }
      }
      throw new AssertionError();
    }

    void take(long cost, long now, long window) {
      long at = effectiveTime(now);
      expire(at, window);
      if (cost > 0) {
        entries.add(new long[] {at, cost});
        latest = at;
      }
    }

    void give(long cost, long takenAt) {
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i)[0] >= takenAt && entries.get(i)[1] == cost) {
          entries.remove(i);
          return;
        }
      }
    }
  }

  @Test
  void answersAsThePlainLogDoesCallForCall() {
    for (long seed = 1; seed <= 200; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      long window = 1 + random.nextLong(5_000);
      boolean crowded = seed % 2 == 0; // hundreds of entries in a window: the log moves and compacts
      long max = 1 + random.nextLong(crowded ? 2_000 : 50);
      long[] costs = {0, 1, 1, 1, 2, 3, max};
      SlidingLogCounter indexed = new SlidingLogCounter();
      PlainLog plain = new PlainLog();
      List<long[]> granted = new ArrayList<>();
      long now = T0;
      List<String> trace = new ArrayList<>();
      for (int step = 0; step < 2_000; step++) {
        now += random.nextInt(4) == 0 ? 0 : random.nextLong(window / (crowded ? 500 : 20) + 2);
        long at = random.nextInt(20) == 0 ? now - random.nextLong(window) : now; // a lagging caller
        if (!granted.isEmpty() && random.nextInt(4) == 0) {
          long[] g = granted.remove(random.nextInt(granted.size()));
          trace.add("give " + g[1] + " taken at " + g[0]);
          indexed.give(g[1], g[0], window);
          plain.give(g[1], g[0]);
          continue;
        }
        long cost = costs[random.nextInt(costs.length)];
        long expected = plain.waitFor(cost, max, at, window);
        trace.add("reserve " + cost + " at " + at + " -> " + expected);
        assertThat(indexed.waitFor(cost, max, at, window))
            .as("seed %s, window %s, max %s, last steps:\n%s", seed, window, max,
                String.join("\n", trace.subList(Math.max(0, trace.size() - 12), trace.size())))
            .isEqualTo(expected);
        if (expected == 0) {
          plain.take(cost, at, window);
          indexed.take(cost, at, window);
          granted.add(new long[] {at, cost});
        }
      }
    }
  }

  @Test
  void oneDecisionOnALogOfTwoHundredThousandTinyCostsTakesLogarithmicSteps() {
    SlidingLogCounter log = new SlidingLogCounter();
    long hour = 3_600_000;
    for (int i = 0; i < 200_000; i++) {
      assertThat(log.waitFor(1, 1_000_000, T0 + i, hour)).isZero();
      log.take(1, T0 + i, hour);
    }
    long now = T0 + 200_000;
    long before = log.steps;
    assertThat(log.waitFor(1_000_000, 1_000_000, now, hour)).as("every entry must leave").isEqualTo(hour - 1);
    assertThat(log.steps - before).as("steps of one refusal").isLessThan(200);
    before = log.steps;
    log.give(1, T0 + 100, hour);
    assertThat(log.steps - before).as("steps of one refund").isLessThan(200);
    assertThat(log.waitFor(1_000_000 - 199_999 + 101, 1_000_000, now, hour))
        .as("101 entries must leave: T0 + 0..99 and, T0 + 100 refunded, T0 + 101")
        .isEqualTo(hour + 101 - 200_000);
  }
}
