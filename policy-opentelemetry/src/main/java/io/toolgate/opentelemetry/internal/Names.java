package io.toolgate.opentelemetry.internal;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Attribute, event and metric names: the semantic conventions' (MCP, GenAI, errors; status
 * development, so kept in one place) and Toolgate's own under {@code toolgate.}.
 */
public final class Names {
  private Names() {}

  public static final AttributeKey<String> MCP_METHOD_NAME = AttributeKey.stringKey("mcp.method.name");
  public static final AttributeKey<String> MCP_SESSION_ID = AttributeKey.stringKey("mcp.session.id");
  public static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
  public static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
  public static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  public static final AttributeKey<String> DECISION = AttributeKey.stringKey("toolgate.decision");
  public static final AttributeKey<String> RULE = AttributeKey.stringKey("toolgate.rule");
  public static final AttributeKey<String> REASON = AttributeKey.stringKey("toolgate.reason");
  public static final AttributeKey<String> COUNTER = AttributeKey.stringKey("toolgate.counter");
  public static final AttributeKey<Long> RETRY_AFTER_MS = AttributeKey.longKey("toolgate.retry_after_ms");
  public static final AttributeKey<String> APPROVAL_ID = AttributeKey.stringKey("toolgate.approval_id");

  /** {@code gen_ai.operation.name} of a tool call. */
  public static final String EXECUTE_TOOL = "execute_tool";

  /** {@code error.type} of a tool that failed without an exception (an {@code isError} result). */
  public static final String TOOL_ERROR = "tool_error";

  /** {@code gen_ai.tool.name} on a metric for a tool the policy does not name. */
  public static final String OTHER_TOOL = "other";

  /** The event a refused call's span carries. */
  public static final String REFUSAL_EVENT = "toolgate.refusal";

  public static final String SERVER_DURATION = "mcp.server.operation.duration";
  public static final String CLIENT_DURATION = "mcp.client.operation.duration";

  /** The conventions' advice for MCP operation durations, in seconds. */
  public static final List<Double> DURATION_BUCKETS =
      List.of(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0);
}
