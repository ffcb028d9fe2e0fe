package io.toolgate.cli;

import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tool sets the scan's test servers offer, QuantConnect-like, with and without annotations:
 * {@code base}, and {@code changed} (one tool gone, one new, one inputSchema changed).
 */
final class ScanTools {
  private ScanTools() {}

  static final Map<String, Object> COMPILE_SCHEMA = Map.of("type", "object", "required", List.of("projectId"),
      "properties", Map.of("projectId", Map.of("type", "integer", "minimum", 1)));
  static final Map<String, Object> CHANGED_COMPILE_SCHEMA = Map.of("type", "object", "required", List.of("projectId"),
      "properties", Map.of("projectId", Map.of("type", "integer", "minimum", 1), "compileId", Map.of("type", "string")));

  /** The class each {@code base} tool must get. */
  static final Map<String, String> BASE_CLASSES = Map.ofEntries(
      Map.entry("read_project", "read"),
      Map.entry("list_backtests", "read"),
      Map.entry("project_summary", "read"),
      Map.entry("update_file", "write"),
      Map.entry("create_compile", "execute"),
      Map.entry("create_backtest", "execute"),
      Map.entry("delete_project", "destructive"),
      Map.entry("remove_file", "destructive"),
      Map.entry("create_live_algorithm", "financial"),
      Map.entry("place_trade", "financial"));

  static List<Tool> tools(String set) {
    List<Tool> tools = new ArrayList<>();
    tools.add(tool("read_project", "Read a project", annotations(true, null, null, null), null));
    if (!set.equals("changed")) {
      tools.add(tool("list_backtests", "Backtests of a project", null, null));
    }
    tools.add(tool("project_summary", "Reads the summary of a project", null, null));
    tools.add(tool("update_file", "Update a file", annotations(false, false, true, false), null));
    tools.add(tool("create_compile", "Compile a project", null, set.equals("changed") ? CHANGED_COMPILE_SCHEMA : COMPILE_SCHEMA));
    tools.add(tool("create_backtest", "Start a backtest", annotations(false, false, false, false),
        Map.of("type", "object", "properties", Map.of("compileId", Map.of("type", "string")))));
    tools.add(tool("delete_project", "Delete a project", annotations(null, true, null, null), null));
    tools.add(tool("remove_file", "Remove a file", null, null));
    tools.add(tool("create_live_algorithm", "Deploy to live trading", annotations(false, false, false, true), null));
    tools.add(tool("place_trade", "Place an order", null, null));
    if (set.equals("changed")) {
      tools.add(tool("create_optimization", "Optimize parameters", null, null));
    }
    return tools;
  }

  static List<SyncToolSpecification> specifications(String set) {
    return tools(set).stream()
        .map(tool -> SyncToolSpecification.builder()
            .tool(tool)
            .callHandler((exchange, request) -> CallToolResult.builder()
                .content(List.of(McpSchema.TextContent.builder(tool.name() + " ok").build()))
                .build())
            .build())
        .toList();
  }

  private static ToolAnnotations annotations(Boolean readOnly, Boolean destructive, Boolean idempotent, Boolean openWorld) {
    return new ToolAnnotations(null, readOnly, destructive, idempotent, openWorld, null);
  }

  private static Tool tool(String name, String description, ToolAnnotations annotations, Map<String, Object> schema) {
    return Tool.builder(name, schema == null ? Map.of("type", "object") : schema)
        .description(description)
        .annotations(annotations)
        .build();
  }
}
