package io.toolgate.mcp;

import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/** The tools the tests serve, each counting how often it really ran. */
final class TestTools {
  static final List<String> NAMES =
      List.of("create_compile", "read_compile", "read_session", "delete_project",
          "create_live_algorithm", "flaky_tool", "admin_reset", "unlisted_tool");

  private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();

  int invocations(String tool) {
    AtomicInteger count = invocations.get(tool);
    return count == null ? 0 : count.get();
  }

  private CallToolResult run(String name, Map<String, Object> arguments) {
    invocations.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    boolean flaky = "flaky_tool".equals(name) && arguments != null;
    if (flaky && Boolean.TRUE.equals(arguments.get("throw"))) {
      throw new IllegalStateException(name + " threw");
    }
    boolean fail = flaky && Boolean.TRUE.equals(arguments.get("fail"));
    return CallToolResult.builder()
        .content(List.of(McpSchema.TextContent.builder(fail ? name + " failed" : name + " ok").build()))
        .isError(fail)
        .build();
  }

  static Tool tool(String name) {
    return Tool.builder(name, Map.of("type", "object")).description("test tool " + name).build();
  }

  List<McpServerFeatures.SyncToolSpecification> sync() {
    return NAMES.stream()
        .map(name -> new McpServerFeatures.SyncToolSpecification(
            tool(name), (exchange, request) -> run(name, request.arguments())))
        .toList();
  }

  List<McpServerFeatures.AsyncToolSpecification> async() {
    return NAMES.stream()
        .map(name -> new McpServerFeatures.AsyncToolSpecification(
            tool(name), (exchange, request) -> Mono.fromCallable(() -> run(name, request.arguments()))))
        .toList();
  }

  List<McpStatelessServerFeatures.AsyncToolSpecification> statelessAsync() {
    return NAMES.stream()
        .map(name -> new McpStatelessServerFeatures.AsyncToolSpecification(
            tool(name), (context, request) -> Mono.fromCallable(() -> run(name, request.arguments()))))
        .toList();
  }

  List<McpStatelessServerFeatures.SyncToolSpecification> statelessSync() {
    return NAMES.stream()
        .map(name -> new McpStatelessServerFeatures.SyncToolSpecification(
            tool(name), (context, request) -> run(name, request.arguments())))
        .toList();
  }
}
