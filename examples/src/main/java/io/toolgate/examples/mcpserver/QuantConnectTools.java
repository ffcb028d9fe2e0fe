package io.toolgate.examples.mcpserver;

import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Five tools in the shape of QuantConnect's MCP server, backed by nothing but counters. Each
 * counts how often it really ran, so a test can tell a refused call never reached it.
 */
public final class QuantConnectTools {
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  /** How often {@code tool} ran. */
  public int runs(String tool) {
    AtomicInteger count = runs.get(tool);
    return count == null ? 0 : count.get();
  }

  /** The tool specifications, unguarded. */
  public List<SyncToolSpecification> specifications() {
    return List.of(
        tool("create_compile", "Compile a project.",
            Map.of("projectId", Map.of("type", "integer")),
            args -> "compile " + id("c") + " of project " + args.get("projectId") + ": BuildSuccess"),
        tool("read_compile", "Read a compile's state.",
            Map.of("projectId", Map.of("type", "integer"), "compileId", Map.of("type", "string")),
            args -> "compile " + args.get("compileId") + ": BuildSuccess"),
        tool("create_backtest", "Start a backtest of a compiled project.",
            Map.of("projectId", Map.of("type", "integer"), "compileId", Map.of("type", "string"),
                "backtestName", Map.of("type", "string")),
            args -> "backtest " + id("b") + " started: " + args.get("backtestName")),
        tool("create_live_algorithm", "Deploy a compiled project to live trading.",
            Map.of("projectId", Map.of("type", "integer"), "compileId", Map.of("type", "string"),
                "brokerage", Map.of("type", "string")),
            args -> "live deployment " + id("L") + " of project " + args.get("projectId") + " on "
                + args.get("brokerage")),
        tool("delete_project", "Delete a project and everything in it.",
            Map.of("projectId", Map.of("type", "integer")),
            args -> "project " + args.get("projectId") + " deleted"));
  }

  private String id(String prefix) {
    return prefix + "-" + ids.incrementAndGet();
  }

  private SyncToolSpecification tool(
      String name, String description, Map<String, Object> properties, Function<Map<String, Object>, String> body) {
    Tool tool =
        Tool.builder(name, Map.of("type", "object", "properties", properties)).description(description).build();
    return new SyncToolSpecification(
        tool,
        (exchange, request) -> {
          runs.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
          Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
          return CallToolResult.builder().addTextContent(body.apply(args)).build();
        });
  }
}
