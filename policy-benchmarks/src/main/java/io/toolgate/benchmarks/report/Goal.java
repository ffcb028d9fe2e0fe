package io.toolgate.benchmarks.report;

/**
 * What one row of the table is compared with, and the bound it should stay within.
 *
 * @param row the row id (see {@link JmhResults})
 * @param title what the row measures, in words
 * @param kind what the Toolgate figure is compared with
 * @param against the peer column ({@link Kind#PEER}) or the other row ({@link Kind#ROW}); unused
 *     otherwise
 * @param bound the most the ratio may be ({@link Kind#ABSOLUTE}: the most the figure may be);
 *     {@code NaN} for a row reported without a goal
 */
public record Goal(String row, String title, Kind kind, String against, double bound) {

  /** What a Toolgate figure is compared with. */
  public enum Kind {
    /** A fixed bound on the figure itself. */
    ABSOLUTE,
    /** One named peer of the same row. */
    PEER,
    /** The fastest peer of the same row. */
    BEST_PEER,
    /** Toolgate's figure in another row (a baseline). */
    ROW
  }

  static Goal atMost(String row, String title, double bound) {
    return new Goal(row, title, Kind.ABSOLUTE, null, bound);
  }

  static Goal vsPeer(String row, String title, String peer, double bound) {
    return new Goal(row, title, Kind.PEER, peer, bound);
  }

  static Goal vsBestPeer(String row, String title, double bound) {
    return new Goal(row, title, Kind.BEST_PEER, null, bound);
  }

  static Goal vsRow(String row, String title, String baseline, double bound) {
    return new Goal(row, title, Kind.ROW, baseline, bound);
  }

  boolean hasBound() {
    return !Double.isNaN(bound);
  }
}
