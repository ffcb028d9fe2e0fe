package io.toolgate.gateway;

import io.toolgate.mcp.LoopbackTomcat;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.gateway.internal.TokenFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway serving streamable HTTP ({@code --listen}) in front of a Java SDK server over HTTP:
 * the SDK's client gets the same answers as directly; identity from a token file and from JWTs
 * (a JWKS made from a key generated here); sessions owned by their principal; {@code Origin}
 * checked; the protected-resource metadata document served.
 */
class HttpDownstreamTest {
  static final String ISSUER = "https://auth.example.test";
  static final String AUDIENCE = "https://gateway.example.test/mcp";
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
      + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";

  @TempDir static Path dir;
  static LoopbackTomcat tomcat;
  static McpSyncServer server;
  static Path calls;
  static RSAKey key;
  static RSAKey otherKey;

  @BeforeAll
  static void startServer() throws Exception {
    calls = Files.createTempFile("http-downstream-calls", ".log");
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
    server = UpstreamTestServer.features(McpServer.sync(transport), calls, Path.of(calls + ".crashed")).build();
    tomcat = new LoopbackTomcat().serve("/mcp", transport).start();
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    otherKey = new RSAKeyGenerator(2048).keyID("k1").generate();
    Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
    Files.writeString(dir.resolve("tokens.txt"), "# the gateway's callers\n"
        + TokenFile.hash("alice-token") + " alice analyst\n" + TokenFile.hash("bob-token") + " bob\n");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
    tomcat.close();
    Files.deleteIfExists(calls);
  }

  static GatewayServer.Builder gateway(String policy) {
    PolicyEngine engine = PolicyEngine.of(Policy.fromResource(policy));
    return GatewayServer.builder(Gateway.builder(engine, URI.create(tomcat.url() + "/mcp")))
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .tokenFile(dir.resolve("tokens.txt"))
        .jwt(JwtVerifier.builder(ISSUER, AUDIENCE).jwksFile(dir.resolve("jwks.json")).rolesClaim("roles").build())
        .authorizationServers(List.of(ISSUER));
  }

  static McpSyncClient client(GatewayServer gateway, String token, TransparencyTest spec) {
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
            "http://127.0.0.1:" + gateway.address().getPort())
        .endpoint("/mcp")
        .httpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer " + token))
        .build();
    McpClient.SyncSpec configured = spec != null
        ? spec.configure(McpClient.sync(transport))
        : McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60));
    McpSyncClient client = configured.build();
    client.initialize();
    return client;
  }

  static String jwt(RSAKey signer, String subject, String audience, Instant expiry, List<String> roles)
      throws JOSEException {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER).subject(subject).audience(audience).expirationTime(Date.from(expiry))
        .claim("roles", roles).build();
    SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
    token.sign(new RSASSASigner(signer));
    return token.serialize();
  }

  static HttpResponse<String> post(GatewayServer gateway, Map<String, String> headers, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.endpoint())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientSeesTheSameServerThroughTheHttpGatewayAsDirectly() throws Exception {
    TransparencyTest direct = new TransparencyTest();
    McpSyncClient directClient = direct.configure(McpClient.sync(
            HttpClientStreamableHttpTransport.builder(tomcat.url()).endpoint("/mcp").build()))
        .build();
    directClient.initialize();
    Map<String, Object> directly = direct.observe(directClient);
    directClient.closeGracefully();
    Files.deleteIfExists(calls);

    TransparencyTest through = new TransparencyTest();
    Map<String, Object> seen;
    try (GatewayServer gateway = gateway("gateway-test-policy.yaml").start()) {
      McpSyncClient client = client(gateway, "alice-token", through);
      seen = through.observe(client);
      CallToolResult refused =
          client.callTool(CallToolRequest.builder("delete_project").arguments(Map.of("projectId", 7)).build());
      assertThat(refused.isError()).isTrue();
      assertThat(Upstreams.calls(calls)).containsExactly("echo", "sample", "roots", "progress");
      assertThat(gateway.sessionCount()).isEqualTo(1);
      client.closeGracefully();
    }
    List<String> tools = new ArrayList<>(List.class.cast(directly.get("tools")));
    tools.remove("delete_project");
    directly.put("tools", tools);
    assertThat(seen).isEqualTo(directly);
  }

  @Test
  void missingWrongExpiredWrongAudienceAndBadlySignedTokensGet401PointingAtTheMetadata() throws Exception {
    Instant later = Instant.now().plusSeconds(600);
    try (GatewayServer gateway = gateway("http-identity-policy.yaml").start()) {
      List<Map<String, String>> refused = List.of(
          Map.of(),
          Map.of("Authorization", "Bearer not-a-token"),
          Map.of("Authorization", "Bearer " + jwt(key, "carol", AUDIENCE, Instant.now().minusSeconds(600), List.of())),
          Map.of("Authorization", "Bearer " + jwt(key, "carol", "https://other.example.test/mcp", later, List.of())),
          Map.of("Authorization", "Bearer " + jwt(otherKey, "carol", AUDIENCE, later, List.of())));
      for (Map<String, String> headers : refused) {
        HttpResponse<String> response = post(gateway, headers, INITIALIZE);
        assertThat(response.statusCode()).as(headers.toString()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue(
            "Bearer resource_metadata=\"http://127.0.0.1:" + gateway.address().getPort()
                + "/.well-known/oauth-protected-resource\"" + (headers.isEmpty() ? "" : ", error=\"invalid_token\""));
      }
      assertThat(gateway.sessionCount()).isZero();

      HttpResponse<String> metadata = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/.well-known/oauth-protected-resource")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metadata.statusCode()).isEqualTo(200);
      assertThat(metadata.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(metadata.body()).isEqualTo("{\"resource\":\"http://127.0.0.1:" + gateway.address().getPort()
          + "/mcp\",\"authorization_servers\":[\"" + ISSUER + "\"],\"bearer_methods_supported\":[\"header\"],"
          + "\"resource_name\":\"Toolgate gateway\"}");
    }
  }

  @Test
  void aGoodJwtMapsToItsPrincipalAndRolesAndPrincipalsAreCountedApart() throws Exception {
    Instant later = Instant.now().plusSeconds(600);
    try (GatewayServer gateway = gateway("http-identity-policy.yaml").start()) {
      McpSyncClient dana = client(gateway, jwt(key, "dana", AUDIENCE, later, List.of("analyst")), null);
      McpSyncClient erin = client(gateway, jwt(key, "erin", AUDIENCE, later, List.of()), null);
      assertThat(dana.listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder("echo", "create_compile");
      assertThat(erin.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("create_compile");
      assertThat(call(dana, "echo").isError()).isFalse();
      assertThat(text(call(erin, "echo"))).contains("not permitted");
      assertThat(call(dana, "create_compile").isError()).isFalse();
      assertThat(text(call(dana, "create_compile"))).contains("rate limit create_compile_rate");
      assertThat(call(erin, "create_compile").isError()).as("erin's count is her own").isFalse();
      McpSyncClient alice = client(gateway, "alice-token", null); // the token file, role analyst
      assertThat(call(alice, "echo").isError()).isFalse();
      assertThat(gateway.sessionCount()).isEqualTo(3);
      dana.closeGracefully();
      erin.closeGracefully();
      alice.closeGracefully();
    }
  }

  @Test
  void anotherPrincipalsSessionAndAForeignOriginAreRefused() throws Exception {
    try (GatewayServer gateway = gateway("http-identity-policy.yaml").start()) {
      HttpResponse<String> opened = post(gateway, Map.of("Authorization", "Bearer alice-token"), INITIALIZE);
      assertThat(opened.statusCode()).isEqualTo(200);
      String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
      String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
      HttpResponse<String> stolen =
          post(gateway, Map.of("Authorization", "Bearer bob-token", "Mcp-Session-Id", session), list);
      assertThat(stolen.statusCode()).isEqualTo(403);
      HttpResponse<String> unknown =
          post(gateway, Map.of("Authorization", "Bearer bob-token", "Mcp-Session-Id", "no-such-session"), list);
      assertThat(unknown.statusCode()).isEqualTo(404);
      HttpResponse<String> foreign = post(gateway,
          Map.of("Authorization", "Bearer alice-token", "Origin", "https://evil.example"), INITIALIZE);
      assertThat(foreign.statusCode()).isEqualTo(403);
      HttpResponse<String> local = post(gateway,
          Map.of("Authorization", "Bearer alice-token", "Origin", "http://localhost:3000"), INITIALIZE);
      assertThat(local.statusCode()).isEqualTo(200);
      HttpResponse<String> noSession = post(gateway, Map.of("Authorization", "Bearer alice-token"), list);
      assertThat(noSession.statusCode()).isEqualTo(400);
    }
  }

  static CallToolResult call(McpSyncClient client, String tool) {
    return client.callTool(CallToolRequest.builder(tool).arguments(Map.of()).build());
  }

  static String text(CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }
}
