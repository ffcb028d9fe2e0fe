package io.toolgate.benchmarks.report;

/**
 * What one row of the table is compared with, and the bound it should stay within.
 *
 * @param row the row id (see {@link JmhResults})
 * @param title what the row measures, in words
 * @param kind what the Toolgate figure is compared with
 * @param against the peer column ({@link Kind#PEER}), a regular expression the peer columns
 *     considered must match ({@link Kind#BEST_PEER}; {@code null}: every peer), or the other row
 *     ({@link Kind#ROW}, {@link Kind#OVERHEAD}); unused otherwise
 * @param bound the most the ratio may be ({@link Kind#ABSOLUTE}: the most the figure may be;
 *     {@link Kind#OVERHEAD}: the nanoseconds allowed beside the clock reads); {@code NaN} for a
 *     row reported without a goal
 */
public record Goal(String row, String title, Kind kind, String against, double bound) {

  /** What a Toolgate figure is compared with. */
  public enum Kind {
    /** A fixed bound on the figure itself. */
    ABSOLUTE,
    /** One named peer of the same row. */
    PEER,
    /** The fastest peer of the same row (among those {@code against} matches, if given). */
    BEST_PEER,
    /** Toolgate's figure in another row (a baseline). */
    ROW,
    /**
     * Toolgate's figure minus its figure in another row, at most {@value #CLOCK_READS} reads of
     * the clock (row {@link #CLOCK_ROW}, same run) plus {@code bound} nanoseconds.
     */
    OVERHEAD
  }

  /** The row that measures one {@code System.nanoTime} read, for {@link Kind#OVERHEAD}. */
  public static final String CLOCK_ROW = "Interceptor/nanoTime";

  /** The clock reads an {@link Kind#OVERHEAD} goal allows. */
  public static final int CLOCK_READS = 2;

  static Goal atMost(String row, String title, double bound) {
    return new Goal(row, title, Kind.ABSOLUTE, null, bound);
  }

  static Goal vsPeer(String row, String title, String peer, double bound) {
    return new Goal(row, title, Kind.PEER, peer, bound);
  }

  static Goal vsBestPeer(String row, String title, double bound) {
    return new Goal(row, title, Kind.BEST_PEER, null, bound);
  }

  static Goal vsBestOf(String row, String title, String peers, double bound) {
    return new Goal(row, title, Kind.BEST_PEER, peers, bound);
  }

  static Goal overhead(String row, String title, String baseline, double nanos) {
    return new Goal(row, title, Kind.OVERHEAD, baseline, nanos);
  }

  static Goal vsRow(String row, String title, String baseline, double bound) {
    return new Goal(row, title, Kind.ROW, baseline, bound);
  }

  boolean hasBound() {
    return !Double.isNaN(bound);
  }
}
