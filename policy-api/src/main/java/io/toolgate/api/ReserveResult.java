package io.toolgate.api;

/**
 * What a {@link CounterStore} answered to one reservation: granted, or rejected with the counter
 * that is over and the exact wait until the same reservation could pass.
 */
public final class ReserveResult {
  private static final ReserveResult GRANTED = new ReserveResult(-1, 0);

  private final int rejectedIndex;
  private final long retryAfterMillis;

  private ReserveResult(int rejectedIndex, long retryAfterMillis) {
    this.rejectedIndex = rejectedIndex;
    this.retryAfterMillis = retryAfterMillis;
  }

  /** Every counter was taken. */
  public static ReserveResult granted() {
    return GRANTED;
  }

  /**
   * No counter was taken.
   *
   * @param rejectedIndex the index, in the request list, of the counter that must wait longest
   * @param retryAfterMillis the earliest wait, from the reservation's time, after which every
   *     counter would admit the same costs; {@link Long#MAX_VALUE} if it never could
   */
  public static ReserveResult rejected(int rejectedIndex, long retryAfterMillis) {
    if (rejectedIndex < 0) {
      throw new IllegalArgumentException("rejectedIndex must be >= 0, was " + rejectedIndex);
    }
    if (retryAfterMillis < 0) {
      throw new IllegalArgumentException("retryAfterMillis must be >= 0, was " + retryAfterMillis);
    }
    return new ReserveResult(rejectedIndex, retryAfterMillis);
  }

  public boolean isGranted() {
    return rejectedIndex < 0;
  }

  /** The index of the counter that must wait longest; -1 when granted. */
  public int rejectedIndex() {
    return rejectedIndex;
  }

  /** The wait in milliseconds before the same reservation could pass; 0 when granted. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  @Override
  public String toString() {
    return isGranted()
        ? "ReserveResult[granted]"
        : "ReserveResult[rejected " + rejectedIndex + ", retry after " + retryAfterMillis + "ms]";
  }
}
