package io.toolgate.engine.internal.model;

import static io.toolgate.api.CounterRequest.MAX_MILLIONTHS;
import static io.toolgate.api.CounterRequest.MILLIONTHS_PER_UNIT;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Amounts (a limit's max, a call's cost) as exact fixed-point millionths, the scale of {@link
 * io.toolgate.api.CounterRequest}: read from policy text, read from a call's arguments, and
 * written back as text.
 */
public final class Millionths {
  /** The most fractional digits an amount may have. */
  public static final int DIGITS = 6;
  /** The largest amount in units: {@link io.toolgate.api.CounterRequest#MAX_MILLIONTHS} / 10^6. */
  public static final long MAX_UNITS = MAX_MILLIONTHS / MILLIONTHS_PER_UNIT;
  /** What {@link #ceiling} answers for an amount above the max it was given. */
  public static final long OVER = -1;

  private static final BigDecimal MAX = BigDecimal.valueOf(MAX_UNITS);

  private Millionths() {}

  /**
   * A policy number as millionths, exactly; {@code null} if it is negative, not finite, above
   * {@link #MAX_UNITS} or has more than {@link #DIGITS} fractional digits ({@link #problem} says
   * which).
   */
  public static Long exact(JsonNode number) {
    return problem(number) == null ? decimal(number).movePointRight(DIGITS).longValueExact() : null;
  }

  /** Why a policy number is not an amount, or {@code null} when it is one. */
  public static String problem(JsonNode number) {
    if (!number.isNumber() || (number.isFloatingPointNumber() && !Double.isFinite(number.doubleValue()))) {
      return "expected a number >= 0";
    }
    BigDecimal d = decimal(number);
    if (d.signum() < 0) {
      return "expected a number >= 0";
    }
    if (d.compareTo(MAX) > 0) {
      return "expected at most " + MAX_UNITS + " (the largest amount a counter holds exactly)";
    }
    if (d.stripTrailingZeros().scale() > DIGITS) {
      return "expected at most " + DIGITS + " decimal places (amounts are exact to the millionth)";
    }
    return null;
  }

  /**
   * A cost an agent sent (a finite number >= 0) as millionths, rounded up to the next millionth
   * (so a cost never rounds down to less than it says), or {@link #OVER} when it is above {@code
   * maxMillionths}.
   */
  public static long ceiling(JsonNode number, long maxMillionths) {
    if (number.canConvertToExactIntegral() && number.canConvertToLong()) {
      long units = number.longValue();
      return units > maxMillionths / MILLIONTHS_PER_UNIT ? OVER : units * MILLIONTHS_PER_UNIT;
    }
    BigDecimal d = decimal(number);
    if (d.compareTo(BigDecimal.valueOf(maxMillionths, DIGITS)) > 0) {
      return OVER;
    }
    if (d.signum() > 0 && d.precision() - d.scale() < -DIGITS) {
      return 1; // below one millionth (and its scale may be huge: no rescaling)
    }
    return d.setScale(DIGITS, RoundingMode.CEILING).unscaledValue().longValueExact();
  }

  /** {@code 10}, {@code 0.5}: millionths as the decimal they stand for, without trailing zeros. */
  public static String text(long millionths) {
    if (millionths % MILLIONTHS_PER_UNIT == 0) {
      return Long.toString(millionths / MILLIONTHS_PER_UNIT);
    }
    return BigDecimal.valueOf(millionths, DIGITS).stripTrailingZeros().toPlainString();
  }

  /** Millionths as the nearest double (the double a decimal text of it parses to). */
  public static double toDouble(long millionths) {
    return millionths / (double) MILLIONTHS_PER_UNIT;
  }

  private static BigDecimal decimal(JsonNode number) {
    // A double's decimalValue is its shortest decimal text (0.1, not 0.1000000000000000055...).
    return number.decimalValue();
  }
}
