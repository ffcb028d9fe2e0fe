package io.toolgate.gateway;

import io.toolgate.mcp.LoopbackTomcat;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of a Java SDK server over streamable HTTP ({@code --upstream-url}): the
 * SDK's client, on the gateway's stdio, gets the same answers as connected to the server
 * directly; a refused call never reaches the server; the configured headers go with every
 * request; the upstream session ends with the gateway's.
 */
class HttpUpstreamTest {
  static LoopbackTomcat tomcat;
  static McpSyncServer server;
  static Path calls;
  /** The {@code X-Api-Key} of every request the server got, and the methods (POST, GET, DELETE). */
  static final List<String> apiKeys = new CopyOnWriteArrayList<>();
  static final Set<String> methods = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startServer() throws IOException {
    calls = Files.createTempFile("http-upstream-calls", ".log");
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
    server = UpstreamTestServer.features(McpServer.sync(transport), calls, Path.of(calls + ".crashed")).build();
    tomcat = new LoopbackTomcat()
        .filter("/mcp", new HttpFilter() {
          private static final long serialVersionUID = 1L;

          @Override
          protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
              throws IOException, ServletException {
            String key = request.getHeader("X-Api-Key");
            apiKeys.add(key == null ? "<none>" : key);
            methods.add(request.getMethod());
            chain.doFilter(request, response);
          }
        })
        .serve("/mcp", transport)
        .start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
    tomcat.close();
    Files.deleteIfExists(calls);
  }

  private static URI endpoint() {
    return URI.create(tomcat.url() + "/mcp");
  }

  private static Gateway.Builder gateway(PolicyEngine engine) {
    return Gateway.builder(engine, endpoint()).upstreamHeaders(Map.of("X-Api-Key", "server-key-1"));
  }

  @Test
  void aClientSeesTheSameHttpServerThroughTheGatewayAsDirectly() throws Exception {
    TransparencyTest direct = new TransparencyTest();
    McpSyncClient directClient = direct.configure(McpClient.sync(
            HttpClientStreamableHttpTransport.builder(tomcat.url()).endpoint("/mcp").build()))
        .build();
    directClient.initialize();
    Map<String, Object> directly = direct.observe(directClient);
    directClient.closeGracefully();
    Files.deleteIfExists(calls);
    apiKeys.clear();

    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml"));
    TransparencyTest through = new TransparencyTest();
    Map<String, Object> seen;
    try (InProcessGateway gateway = InProcessGateway.start(calls, gateway(engine))) {
      McpSyncClient client = gateway.client(through::configure);
      seen = through.observe(client);
      McpSchema.CallToolResult refused =
          client.callTool(CallToolRequest.builder("delete_project").arguments(Map.of("projectId", 7)).build());
      assertThat(refused.isError()).isTrue();
      assertThat(((McpSchema.TextContent) refused.content().get(0)).text())
          .contains("Project deletion is not permitted for agents");
      assertThat(Upstreams.calls(calls)).containsExactly("echo", "sample", "roots", "progress");
      client.closeGracefully();
    }

    List<String> tools = new ArrayList<>(List.class.cast(directly.get("tools")));
    tools.remove("delete_project");
    directly.put("tools", tools);
    assertThat(seen).isEqualTo(directly);
    assertThat(seen.get("sample").toString()).contains("the client said: 4");
    assertThat(seen.get("roots").toString()).contains("file:///work/project");
    assertThat(apiKeys).isNotEmpty().containsOnly("server-key-1");
    assertThat(methods).contains("POST", "DELETE");
  }

  @Test
  void anUnreachableUpstreamAnswersTheClientWithAnError() throws Exception {
    PolicyEngine engine = PolicyEngine.of(Policy.fromResource("gateway-test-policy.yaml"));
    URI nowhere = URI.create("http://127.0.0.1:1/mcp");
    try (InProcessGateway gateway = InProcessGateway.start(calls, Gateway.builder(engine, nowhere))) {
      gateway.toGateway.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n").getBytes());
      gateway.toGateway.flush();
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(gateway.fromGateway)).readLine();
      assertThat(line).contains("\"id\":1", "-32001", "could not be reached");
    }
  }
}
