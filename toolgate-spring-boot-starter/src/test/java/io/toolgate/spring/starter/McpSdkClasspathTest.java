package io.toolgate.spring.starter;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpToolGuard;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A Spring AI 2.0 MCP server application with the starter has one MCP Java SDK: the one Spring AI
 * brings, with Spring AI's Jackson 3 binding and not policy-mcp's Jackson 2 one. Read from the
 * jars on this module's test classpath (the starter plus spring-ai-starter-mcp-server-webmvc).
 */
class McpSdkClasspathTest {
  private static final Pattern SDK_JAR = Pattern.compile("(mcp-core|mcp-json-jackson2|mcp-json-jackson3)-(\\d[^/]*)\\.jar");

  private static List<String[]> sdkJars() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(path -> SDK_JAR.matcher(new File(path).getName()))
        .filter(Matcher::matches)
        .map(m -> new String[] {m.group(1), m.group(2)})
        .toList();
  }

  @Test
  void oneSdkVersionAndNoJackson2Binding() {
    List<String[]> jars = sdkJars();
    List<String> cores = jars.stream().filter(j -> j[0].equals("mcp-core")).map(j -> j[1]).toList();
    List<String> jackson3 = jars.stream().filter(j -> j[0].equals("mcp-json-jackson3")).map(j -> j[1]).toList();
    assertThat(cores).as("mcp-core jars").hasSize(1);
    assertThat(jackson3).as("Spring AI's mcp-json-jackson3").hasSize(1);
    assertThat(cores.get(0)).as("mcp-core is the version of Spring AI's binding").isEqualTo(jackson3.get(0));
    assertThat(jars).as("policy-mcp's Jackson 2 binding").noneMatch(j -> j[0].equals("mcp-json-jackson2"));
  }

  /**
   * policy-mcp is compiled against SDK 2.1; its guard must run on Spring AI's 2.0 (the 2.1-only
   * list filters are never touched: the starter filters tools/list itself).
   */
  @Test
  void policyMcpGuardRunsOnSpringAisSdk() {
    PolicyEngine engine =
        PolicyEngine.of(
            Policy.load(
                new ByteArrayInputStream(
                    "version: \"1\"\ndefault: deny\ntools:\n  echo: {}\n".getBytes(StandardCharsets.UTF_8)),
                "inline"));
    McpToolGuard guard = McpToolGuard.builder(engine).identity(McpIdentityResolver.fixed(CallContext.of("p"))).build();
    Tool echo = Tool.builder("echo").inputSchema(new McpSchema.JsonSchema("object", null, null, null, null, null)).build();
    Tool other = Tool.builder("other").inputSchema(new McpSchema.JsonSchema("object", null, null, null, null, null)).build();
    McpStatelessServerFeatures.SyncToolSpecification allowed =
        guard.guard(new McpStatelessServerFeatures.SyncToolSpecification(echo, (ctx, req) -> CallToolResult.builder().addTextContent("ran").build()));
    McpStatelessServerFeatures.SyncToolSpecification refused =
        guard.guard(new McpStatelessServerFeatures.SyncToolSpecification(other, (ctx, req) -> CallToolResult.builder().addTextContent("ran").build()));

    CallToolResult ran = allowed.callHandler().apply(McpTransportContext.EMPTY, new CallToolRequest("echo", Map.of()));
    CallToolResult denied = refused.callHandler().apply(McpTransportContext.EMPTY, new CallToolRequest("other", Map.of()));
    assertThat(ran.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(denied.isError()).isTrue();
    assertThat(denied.meta()).containsKey(McpToolGuard.META_KEY);
  }
}
