package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile bodies posted in an MCP session reach the SDK's streamable HTTP servlet through {@link
 * McpCancellation} as they were sent: each one gets the same answer (status and body) from a
 * server behind the filter as from the same server without it.
 */
class McpCancellationHostileBodyTest {
  static final String POLICY = """
      version: "1"
      default: allow
      tools:
        create_live_algorithm: { action: require_approval, wait: 2m }
      """;

  static LoopbackTomcat tomcat;
  static final List<McpSyncServer> SERVERS = new ArrayList<>();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  @BeforeAll
  static void start() {
    McpToolGuard guard = McpToolGuard.builder(PolicyEngine.of(Policy.parse(POLICY)))
        .identity(McpIdentityResolver.fixed(CallContext.of("agent-7")))
        .build();
    McpCancellation cancellation = McpCancellation.create();
    tomcat = new LoopbackTomcat()
        .serve("/filtered", server("/filtered", guard, cancellation))
        .filter("/filtered", cancellation)
        .serve("/plain", server("/plain", guard, McpCancellation.create()))
        .start();
  }

  static HttpServletStreamableServerTransportProvider server(
      String endpoint, McpToolGuard guard, McpCancellation cancellation) {
    var transport = HttpServletStreamableServerTransportProvider.builder()
        .mcpEndpoint(endpoint)
        .contextExtractor(cancellation.extractor(request -> McpTransportContext.EMPTY))
        .build();
    SERVERS.add(McpServer.sync(transport)
        .serverInfo("hostile", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.sync(new TestTools().sync()))
        .build());
    return transport;
  }

  @AfterAll
  static void stop() throws Exception {
    for (McpSyncServer server : SERVERS) {
      server.close();
    }
    tomcat.close();
  }

  static Map<String, byte[]> bodies() {
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    String call = "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":7,\"params\":{\"name\":\"read_compile\",\"arguments\":";
    bodies.put("a plain call", utf8(call + "{}}}"));
    bodies.put("a megabyte string argument", utf8(call + "{\"text\":\"" + "x".repeat(1_000_000) + "\"}}}"));
    bodies.put("the method after 2 MB of params", utf8("{\"params\":{\"name\":\"read_compile\",\"arguments\":{\"t\":\""
        + "y".repeat(2_000_000) + "\"}},\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":8}"));
    bodies.put("deep nesting", utf8("{\"jsonrpc\":\"2.0\",\"params\":{\"name\":\"read_compile\",\"arguments\":{\"a\":"
        + "[".repeat(5000) + "]".repeat(5000) + "}},\"method\":\"tools/call\",\"id\":9}"));
    bodies.put("duplicate keys", utf8("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"method\":\"tools/list\",\"id\":10,"
        + "\"id\":\"ten\",\"params\":{\"name\":\"read_compile\",\"arguments\":{}}}"));
    bodies.put("an id of 1e999", utf8("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":1e999,"
        + "\"params\":{\"name\":\"read_compile\",\"arguments\":{}}}"));
    bodies.put("a batch", utf8("[" + call + "{}}}]"));
    bodies.put("not JSON", utf8("<html>hello</html>"));
    bodies.put("an empty body", new byte[0]);
    byte[] invalid = utf8(call + "{\"t\":\"\u0001\u0001\"}}}");
    invalid[invalid.length - 6] = (byte) 0xc3;
    invalid[invalid.length - 5] = (byte) 0x28;
    bodies.put("invalid UTF-8", invalid);
    bodies.put("a cancellation with a huge reason", utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
        + "\"params\":{\"reason\":\"" + "r".repeat(500_000) + "\",\"requestId\":7}}"));
    return bodies;
  }

  @Test
  void everyBodyGetsTheAnswerItGetsWithoutTheFilter() throws Exception {
    String filtered = initialize("/filtered");
    String plain = initialize("/plain");
    for (Map.Entry<String, byte[]> body : bodies().entrySet()) {
      HttpResponse<String> through = HTTP.send(post("/filtered", filtered, body.getValue()), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> direct = HTTP.send(post("/plain", plain, body.getValue()), HttpResponse.BodyHandlers.ofString());
      assertThat(through.statusCode()).as(body.getKey()).isEqualTo(direct.statusCode());
      assertThat(eventData(through.body())).as(body.getKey()).isEqualTo(eventData(direct.body()));
      if (body.getKey().startsWith("a plain call") || body.getKey().startsWith("a megabyte")) {
        assertThat(through.body()).as(body.getKey()).contains("read_compile ok"); // the SDK read it whole
      }
    }
  }

  /**
   * The body without SSE event ids and without the stack trace the SDK serialises with an error
   * (the filter's frames are in it), which differ between the servers.
   */
  static String eventData(String body) {
    return body.lines().filter(line -> !line.startsWith("id:")).collect(Collectors.joining("\n"))
        .replaceAll("\"stackTrace\":\\[[^\\]]*\\]", "\"stackTrace\":[]");
  }

  static String initialize(String endpoint) throws Exception {
    HttpResponse<String> response = HTTP.send(post(endpoint, null, utf8(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}")), HttpResponse.BodyHandlers.ofString());
    String session = response.headers().firstValue(HttpHeaders.MCP_SESSION_ID).orElseThrow();
    HTTP.send(post(endpoint, session, utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")),
        HttpResponse.BodyHandlers.ofString());
    return session;
  }

  static HttpRequest post(String endpoint, String sessionId, byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tomcat.url() + endpoint))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (sessionId != null) {
      request.header(HttpHeaders.MCP_SESSION_ID, sessionId);
    }
    return request.build();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
