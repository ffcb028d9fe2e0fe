package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.toolgate.mcp.McpSessionFilter;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.spring.ai.internal.McpGuards;
import io.toolgate.spring.ai.internal.McpSessionWebFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

/**
 * The real Spring AI MCP server on WebFlux (streamable HTTP, reactive Spring Security bearer
 * tokens): a session serves only the principal whose {@code initialize} opened it. Bob, who
 * learned Alice's {@code Mcp-Session-Id}, gets 403 for every request in it before the transport,
 * and Alice's session and traffic are untouched; an unknown session gets 404; a deleted one is
 * forgotten. The wiring is the starter's alone.
 */
@SpringBootTest(
    classes = WebFluxMcpServerSecurityTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.ai.mcp.server.protocol=STREAMABLE",
      "spring.ai.mcp.server.name=quant",
      "toolgate.policy=classpath:io/toolgate/spring/webflux/policy.yaml"
    })
class WebFluxSessionOwnershipTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"tools/call\","
      + "\"params\":{\"name\":\"read_compile\",\"arguments\":{\"compileId\":\"c1\"}}}";
  static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/list\"}";
  static final String CANCEL =
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}";

  @LocalServerPort int port;
  @Autowired QuantTools tools;
  @Autowired McpSessionOwners owners;
  @Autowired ApplicationContext context;

  /** A real SDK client, and the session ids it names, in order. */
  record Client(McpSyncClient client, List<String> sessions) {
    String session() {
      assertThat(sessions).as("the client named its session").isNotEmpty();
      return sessions.get(sessions.size() - 1);
    }
  }

  private Client client(String token) {
    List<String> sessions = new CopyOnWriteArrayList<>();
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
            .endpoint("/mcp")
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
            .httpRequestCustomizer((builder, method, uri, body, ctx) ->
                builder.build().headers().firstValue("Mcp-Session-Id").ifPresent(sessions::add))
            .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    client.initialize();
    return new Client(client, sessions);
  }

  private HttpResponse<String> send(String path, String method, String token, String sessionId, String body)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + token)
            .header("Mcp-Session-Id", sessionId)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** A POST naming two sessions, {@code first} then {@code second}. */
  private HttpResponse<String> twoSessions(String token, String first, String second, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + token)
            .header("Mcp-Session-Id", first)
            .header("Mcp-Session-Id", second)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String token, String sessionId, String body) throws Exception {
    return send("/mcp", "POST", token, sessionId, body);
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A short JSON-RPC error with {@code code}, naming neither the session nor its owner. */
  private static void assertError(HttpResponse<String> response, int status, int code, String sessionId) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    JsonNode body = parse(response.body());
    assertThat(body.path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(body.has("id") && body.get("id").isNull()).as(response.body()).isTrue();
    assertThat(body.path("error").path("code").asInt()).isEqualTo(code);
    assertThat(body.path("error").path("message").asText()).isNotBlank();
    assertThat(response.body()).doesNotContain(sessionId).doesNotContain("alice");
  }

  private static String text(McpSyncClient client, String compileId) {
    return ((TextContent) client.callTool(new CallToolRequest("read_compile", Map.of("compileId", compileId)))
        .content().get(0)).text();
  }

  @Test
  void theStarterWiresTheWebFilterAndTheGuardToOneOwners() {
    assertThat(context.getBeansOfType(McpSessionWebFilter.class)).hasSize(1);
    assertThat(context.getBean(McpGuards.class).sessionOwners()).isSameAs(owners);
  }

  @Test
  void anotherPrincipalUsingAlicesSessionIdIsRefusedAndAlicesSessionIsUntouched() throws Exception {
    Client alice = client("t-alice");
    Client bob = client("t-bob");
    try (McpSyncClient a = alice.client();
        McpSyncClient b = bob.client()) {
      assertThat(text(a, "c0")).contains("compile c0 ok");
      String session = alice.session();
      assertThat(owners.isOwner(session, "alice")).as("her initialize recorded her").isTrue();
      int runs = tools.runs.get();

      int forbidden = McpToolGuard.ERROR_CODE;
      assertError(post("t-bob", session, CALL), 403, forbidden, session);
      assertError(post("t-bob", session, LIST), 403, forbidden, session);
      assertError(post("t-bob", session, CANCEL), 403, forbidden, session);
      assertError(send("/mcp", "GET", "t-bob", session, null), 403, forbidden, session);
      assertError(send("/mcp", "DELETE", "t-bob", session, null), 403, forbidden, session);
      // the router matches /m%63p as /mcp: so does the filter
      assertError(send("/m%63p", "POST", "t-bob", session, CALL), 403, forbidden, session);
      assertThat(tools.runs.get()).isEqualTo(runs);

      // two session headers: the filter reads the first, as the transport does
      assertError(twoSessions("t-bob", session, bob.session(), CALL), 403, forbidden, session);
      HttpResponse<String> first = twoSessions("t-bob", bob.session(), session, CALL);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).contains("compile c1 ok").doesNotContain(McpToolGuard.META_KEY);

      assertThat(a.listTools().tools()).extracting(Tool::name).contains("read_compile");
      assertThat(text(a, "c1")).contains("compile c1 ok");
      assertThat(text(b, "c2")).contains("compile c2 ok");
      assertThat(owners.isOwner(session, "alice")).isTrue();
      assertThat(owners.isOwner(bob.session(), "bob")).isTrue();
    }
  }

  @Test
  void anUnknownSessionIdGets404AndIsNotEchoed() throws Exception {
    for (String unknown : new String[] {"not-a-session", "x".repeat(4000), "a\tb<script>"}) {
      assertError(post("t-bob", unknown, CALL), 404, McpSessionFilter.SESSION_NOT_FOUND, unknown);
    }
  }

  @Test
  void aSessionItsOwnerDeletedIsForgottenAndThen404ForEveryone() throws Exception {
    Client carol = client("t-carol");
    try (McpSyncClient c = carol.client()) {
      assertThat(text(c, "c3")).contains("compile c3 ok");
      String session = carol.session();
      assertThat(send("/mcp", "DELETE", "t-carol", session, null).statusCode()).isBetween(200, 299);
      assertThat(owners.isKnown(session)).isFalse();
      assertError(post("t-carol", session, LIST), 404, McpSessionFilter.SESSION_NOT_FOUND, session);
      assertError(post("t-bob", session, LIST), 404, McpSessionFilter.SESSION_NOT_FOUND, session);
    }
  }
}
