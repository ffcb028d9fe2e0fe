package io.toolgate.mcp;

import io.toolgate.mcp.internal.HeldCall;
import java.time.Duration;

/**
 * What a client hears while its {@code tools/call} is held for an approval, for code that tells it
 * without an SDK server (a relay such as {@code policy-gateway}): the same values and message
 * {@link McpToolGuard} sends, so an agent sees one shape whatever stands in front of the server.
 *
 * <p>{@code progress} is the fraction of the wait that has passed: it starts at 0, rises with each
 * notification and stays below 1, so a tool's own progress under the same token that starts at 1
 * or more still increases. There is no {@code total}.
 */
public final class McpHeldProgress {
  private McpHeldProgress() {}

  /**
   * The progress to report after {@code last} ({@code -1} before the first) once {@code
   * waitedNanos} of a wait of {@code waitNanos} have passed: strictly above {@code last} and below
   * 1; or {@code -1} when the wait is over and nothing more is to be reported.
   */
  public static double next(double last, long waitedNanos, long waitNanos) {
    double progress = Math.max(waitNanos <= 0 ? 0 : (double) waitedNanos / waitNanos, Math.nextUp(last));
    return progress >= 1 || last >= 0 && waitedNanos >= waitNanos ? -1 : progress;
  }

  /** {@code waiting for approval <id>, 1m40s left}. */
  public static String message(String approvalId, Duration left) {
    return "waiting for approval " + approvalId + ", " + HeldCall.format(left) + " left";
  }
}
