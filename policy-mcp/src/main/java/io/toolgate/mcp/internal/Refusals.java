package io.toolgate.mcp.internal;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.AgentText;
import io.toolgate.api.Decision;
import io.toolgate.engine.audit.DecisionFields;
import io.toolgate.engine.audit.DecisionFields.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a refused call is told to the agent: a tool error result, or a JSON-RPC error. */
public final class Refusals {
  /** The {@code _meta} key (and JSON-RPC error {@code data} key) of the structured decision. */
  public static final String META_KEY = "io.toolgate/decision";

  /** The JSON-RPC error code of a refusal sent as an error: in the server-defined range. */
  public static final int ERROR_CODE = -32003;

  /** The JSON-RPC error code of a cancelled call (as LSP's {@code RequestCancelled}). */
  public static final int CANCELLED_CODE = -32800;

  private Refusals() {}

  /**
   * The decision as JSON-compatible values, named as {@link DecisionFields} names them for {@code
   * _meta}: {@code kind}, {@code tool}, {@code rule}, {@code reason} and the kind's details
   * ({@code retryAfterMillis} and {@code counter}, then {@code retryAfterSeconds}, for a rate
   * limit with a known retry-after; {@code approvalId} for a held call). The tool name is the
   * agent's text, so it is quoted as an {@link AgentText#excerpt}.
   */
  public static Map<String, Object> describe(Decision decision) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(Field.DECISION.metaKey(), DecisionFields.kind(decision));
    out.put(Field.TOOL.metaKey(), AgentText.excerpt(decision.tool()));
    out.put(Field.RULE.metaKey(), decision.rule());
    out.put(Field.REASON.metaKey(), decision.reason());
    DecisionFields.details(decision, (field, value) -> {
      if (value != null) {
        out.put(field.metaKey(), value);
      }
    });
    if (decision instanceof Decision.RateLimited limited && limited.retryAfter() != null) {
      out.put("retryAfterSeconds", DecisionFields.retryAfterSeconds(limited.retryAfter()));
    }
    return out;
  }

  /** The rule named by a refusal of a call made in another principal's MCP session. */
  public static final String SESSION_RULE = Decision.Rules.SESSION;

  /**
   * The refusal of a call to {@code tool} by {@code principal} in an MCP session another principal
   * opened. It names neither the session nor its owner.
   */
  public static Decision.Deny foreignSession(String tool, String principal) {
    return new Decision.Deny(
        tool,
        principal,
        List.of(),
        SESSION_RULE,
        "Policy denied " + AgentText.excerpt(tool) + ": this MCP session was opened by another principal.");
  }

  /** A {@code CallToolResult} with {@code isError: true}, the reason as text, the decision in {@code _meta}. */
  public static CallToolResult result(Decision decision) {
    return CallToolResult.builder()
        .content(List.of(McpSchema.TextContent.builder(decision.reason()).build()))
        .isError(true)
        .meta(Map.of(META_KEY, describe(decision)))
        .build();
  }

  /** A JSON-RPC error whose message is the reason and whose data holds the decision. */
  public static McpError error(Decision decision) {
    return McpError.builder(ERROR_CODE)
        .message(decision.reason())
        .data(Map.of(META_KEY, describe(decision)))
        .build();
  }

  /**
   * The JSON-RPC error that ends a held call its client cancelled (the client no longer waits for
   * it; the stream still needs an answer): code {@link #CANCELLED_CODE}.
   */
  public static McpError cancelled() {
    return McpError.builder(CANCELLED_CODE).message("The client cancelled the call; its approval request is withdrawn.").build();
  }

  /** Whether a tool's result counts as failed: none at all, or {@code isError: true}. */
  public static boolean failed(CallToolResult result) {
    return result == null || Boolean.TRUE.equals(result.isError());
  }
}
