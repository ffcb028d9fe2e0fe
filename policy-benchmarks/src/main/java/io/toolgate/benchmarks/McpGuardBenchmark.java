package io.toolgate.benchmarks;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.CallContext;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpCancellation;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpToolGuard;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What {@link McpToolGuard} costs per allowed {@code tools/call} of {@code read_file} on a
 * synchronous stateful server (the guarded handler, a tool that answers at once): in a policy with
 * no {@code require_approval} entry ({@code policy=none}) and in one whose only approval entry is
 * for another tool ({@code policy=otherTool}); a request without {@code _meta} or with a {@code
 * progressToken}; with and without an input wrapped by {@link McpCancellation#stdio} open in the
 * process ({@code stdio}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class McpGuardBenchmark {
  @Param({"none", "otherTool"})
  public String policy;

  @Param({"plain", "progressToken"})
  public String request;

  @Param({"false", "true"})
  public boolean stdio;

  private static final CallToolResult OK = CallToolResult.builder().content(List.of()).build();

  private BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler;
  private McpSyncServerExchange exchange;
  private CallToolRequest call;
  private InputStream stdin;

  @Setup
  public void setUp() {
    String text = "otherTool".equals(policy)
        ? "version: '1'\ndefault: allow\ntools:\n  create_live_algorithm: { action: require_approval, wait: 2m }\n"
        : "version: '1'\ndefault: allow\n";
    McpToolGuard guard = McpToolGuard.builder(PolicyEngine.of(Policies.parse(text)))
        .identity(McpIdentityResolver.fixed(CallContext.of("agent-1")))
        .build();
    McpSchema.Tool tool = McpSchema.Tool.builder("read_file", Map.of("type", "object")).build();
    handler = guard.guard(new McpServerFeatures.SyncToolSpecification(tool, (exchange, request) -> OK)).callHandler();
    exchange = new McpSyncServerExchange(
        new McpAsyncServerExchange("session-1", null, null, null, McpTransportContext.EMPTY));
    Map<String, Object> arguments = Map.of("path", "/tmp/a.txt", "limit", 100);
    call = "progressToken".equals(request)
        ? new CallToolRequest("read_file", arguments, Map.of("progressToken", "tok-1"))
        : new CallToolRequest("read_file", arguments);
    if (stdio) {
      stdin = McpCancellation.stdio(InputStream.nullInputStream()); // open, never read: its calls are listed
    }
    Checks.isTrue(handler.apply(exchange, call) == OK, "the call is allowed and runs");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (stdin != null) {
      stdin.close();
    }
  }

  @Benchmark
  public CallToolResult toolgate_guardedCall() {
    return handler.apply(exchange, call);
  }
}
