package io.toolgate.mcp;

import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.Decision;
import io.toolgate.mcp.internal.Refusals;

/**
 * How a refused {@code tools/call} is answered, for code that answers calls without an SDK server
 * (a relay such as {@code policy-gateway}): the same result {@link McpToolGuard} and {@link
 * PolicyClientTransport} send, so an agent sees one shape whatever stands in front of the server.
 */
public final class McpRefusals {
  private McpRefusals() {}

  /**
   * A {@code CallToolResult} with {@code isError: true}, the decision's reason as its text and the
   * structured decision in {@code _meta} under {@link McpToolGuard#META_KEY}.
   */
  public static CallToolResult result(Decision decision) {
    return Refusals.result(decision);
  }

  /** Whether a tool's result counts as failed for {@code refund_on_error}: none, or {@code isError: true}. */
  public static boolean failed(CallToolResult result) {
    return Refusals.failed(result);
  }
}
