package io.toolgate.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpRefusals;
import java.io.IOException;

/** What the relay reads and writes of tool messages: refusals, failed results, filtered tool lists. */
final class ToolMessages {
  /** Reads what the gateway itself wrote. */
  private static final ObjectMapper TRUSTED = new ObjectMapper();

  private ToolMessages() {}

  /** The response to {@code tools/call} {@code id} refused by {@code decision}, as {@code McpToolGuard} answers it. */
  static String refusal(JsonNode id, Decision decision) {
    try {
      String result = McpJsonDefaults.getMapper().writeValueAsString(McpRefusals.result(decision));
      return JsonRpc.result(id, TRUSTED.readTree(result));
    } catch (IOException e) {
      throw new IllegalStateException("a refusal could not be written", e);
    }
  }

  /** A tool call failed: a JSON-RPC error, no result, or {@code isError: true}. */
  static boolean failed(Message response) {
    JsonNode result = response.json().get("result");
    return response.json().has("error") || result == null || result.path("isError").asBoolean(false);
  }

  /** The {@code tools/list} response with only the tools the caller may see. */
  static String listed(Message response, PolicyEngine engine, CallContext context) {
    JsonNode tools = response.json().path("result").path("tools");
    if (!tools.isArray()) {
      return response.text();
    }
    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
    for (JsonNode tool : tools) {
      JsonNode name = tool.get("name");
      if (name != null && name.isTextual() && engine.isListed(name.asText(), context)) {
        kept.add(tool);
      }
    }
    if (kept.size() == tools.size()) {
      return response.text();
    }
    ObjectNode copy = response.json().deepCopy();
    ((ObjectNode) copy.get("result")).set("tools", kept);
    return JsonRpc.write(copy);
  }
}
