package io.toolgate.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.mcp.PolicyClientTransport;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A real MCP SDK client, its calls policed and traced by {@link PolicyClientTransport}, against
 * real MCP SDK servers (sync and async) whose tools {@link McpToolGuard} guards and traces, over
 * streamable HTTP on a loopback port: the client's trace context travels in {@code params._meta}
 * and parents the server's span.
 */
class McpTracingEndToEndTest {
  private static final String SERVER_POLICY = String.join("\n",
      "version: '1'",
      "tools:",
      "  read_file: {}",
      "  delete_project: {action: deny, reason: never delete projects}",
      "");
  private static final String CLIENT_POLICY = "version: '1'\ndefault: allow\n";

  /** Held so the level sticks: Tomcat's start-up lines and leak warnings only blur test output. */
  static final java.util.logging.Logger TOMCAT_LOG = java.util.logging.Logger.getLogger("org.apache");
  static final Ended ENDED = new Ended();
  static OpenTelemetrySdk sdk;
  static Tomcat tomcat;
  static McpSyncServer syncServer;
  static McpAsyncServer asyncServer;
  static final List<AutoCloseable> clients = new ArrayList<>();
  static final AtomicReference<String> toolSawTraceparent = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(ENDED).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    PolicyEngine serverEngine =
        PolicyEngine.builder(Policy.parse(SERVER_POLICY)).observe(OpenTelemetryObserver.create(sdk)).build();
    McpToolGuard guard =
        McpToolGuard.builder(serverEngine).identity(McpIdentityResolver.fixed(CallContext.of("server-side"))).build();

    var sync = HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
    syncServer = McpServer.sync(sync)
        .serverInfo("traced-sync", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.sync(List.of(syncTool("read_file"), syncTool("delete_project"))))
        .build();
    var async = HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp-async").build();
    asyncServer = McpServer.async(async)
        .serverInfo("traced-async", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(guard.async(List.of(new McpServerFeatures.AsyncToolSpecification(
            tool("read_file"), (exchange, request) -> Mono.just(ok("read_file"))))))
        .build();

    tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("toolgate-otel-tomcat").toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("maxKeepAliveRequests", "1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    var context = tomcat.addContext("", null);
    FilterDef drop = new FilterDef();
    drop.setFilterName("drop-connection");
    drop.setFilter(new DropConnection());
    drop.setAsyncSupported("true");
    context.addFilterDef(drop);
    FilterMap map = new FilterMap();
    map.setFilterName("drop-connection");
    map.addURLPattern("/*");
    context.addFilterMap(map);
    serve(context, "/mcp", sync);
    serve(context, "/mcp-async", async);
    tomcat.start();
  }

  private static void serve(org.apache.catalina.Context context, String path, HttpServlet servlet) {
    Tomcat.addServlet(context, "servlet" + path.replace('/', '-'), servlet).setAsyncSupported(true);
    context.addServletMapping(path, "servlet" + path.replace('/', '-'));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    syncServer.close();
    asyncServer.close();
    tomcat.stop();
    tomcat.destroy();
    sdk.close();
  }

  static McpSchema.Tool tool(String name) {
    return McpSchema.Tool.builder(name, Map.of("type", "object")).description("test tool " + name).build();
  }

  static CallToolResult ok(String name) {
    return CallToolResult.builder().content(List.of(McpSchema.TextContent.builder(name + " ok").build())).build();
  }

  static McpServerFeatures.SyncToolSpecification syncTool(String name) {
    return new McpServerFeatures.SyncToolSpecification(tool(name), (exchange, request) -> {
      Object traceparent = request.meta() == null ? null : request.meta().get("traceparent");
      toolSawTraceparent.set(traceparent == null ? null : traceparent.toString());
      return ok(name);
    });
  }

  /** A client whose tool calls go through a traced {@link PolicyClientTransport}. */
  static McpSyncClient client(String endpoint) {
    int port = tomcat.getConnector().getLocalPort();
    var http = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint(endpoint).build();
    PolicyEngine clientEngine =
        PolicyEngine.builder(Policy.parse(CLIENT_POLICY)).observe(OpenTelemetryObserver.create(sdk)).build();
    McpSyncClient client = McpClient.sync(PolicyClientTransport.wrap(http, clientEngine, CallContext.of("research-agent")))
        .requestTimeout(Duration.ofSeconds(20))
        .build();
    clients.add(client);
    client.initialize();
    return client;
  }

  @Test
  void theClientsTraceArrivesInTheServersSpanThroughMeta() throws Exception {
    McpSyncClient client = client("/mcp");
    ENDED.spans.clear();
    CallToolResult result = client.callTool(CallToolRequest.builder("read_file").arguments(Map.of("path", "a")).build());
    assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);

    SpanData server = ENDED.next(SpanKind.SERVER);
    SpanData clientSpan = ENDED.next(SpanKind.CLIENT);
    assertThat(clientSpan.getName()).isEqualTo("tools/call read_file");
    assertThat(clientSpan.getAttributes().get(AttributeKey.stringKey("jsonrpc.request.id"))).isNotBlank();
    assertThat(server.getName()).isEqualTo("tools/call read_file");
    assertThat(server.getTraceId()).isEqualTo(clientSpan.getTraceId());
    assertThat(server.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
    assertThat(server.getParentSpanContext().isRemote()).isTrue();
    assertThat(server.getAttributes().get(AttributeKey.stringKey("mcp.session.id"))).isNotBlank();
    assertThat(server.getAttributes().get(AttributeKey.stringKey("toolgate.decision"))).isEqualTo("allow");
    assertThat(toolSawTraceparent.get()).contains(clientSpan.getTraceId() + "-" + clientSpan.getSpanId());
  }

  @Test
  void theClientSpanIsAChildOfTheCallersCurrentSpan() throws Exception {
    McpSyncClient client = client("/mcp");
    ENDED.spans.clear();
    Tracer tracer = sdk.getTracer("test");
    Span agent = tracer.spanBuilder("invoke_agent").startSpan();
    try (Scope ignored = agent.makeCurrent()) {
      client.callTool(CallToolRequest.builder("read_file").arguments(Map.of()).build());
    } finally {
      agent.end();
    }

    SpanData server = ENDED.next(SpanKind.SERVER);
    SpanData clientSpan = ENDED.next(SpanKind.CLIENT);
    assertThat(clientSpan.getParentSpanId()).isEqualTo(agent.getSpanContext().getSpanId());
    assertThat(server.getTraceId()).isEqualTo(agent.getSpanContext().getTraceId());
  }

  @Test
  void aCallTheServerRefusesIsARefusalEventOnTheServersSpanUnderTheClients() throws Exception {
    McpSyncClient client = client("/mcp");
    ENDED.spans.clear();
    CallToolResult result = client.callTool(CallToolRequest.builder("delete_project").arguments(Map.of()).build());
    assertThat(result.isError()).isTrue();

    SpanData server = ENDED.next(SpanKind.SERVER);
    SpanData clientSpan = ENDED.next(SpanKind.CLIENT);
    assertThat(server.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
    assertThat(server.getAttributes().get(AttributeKey.stringKey("toolgate.decision"))).isEqualTo("deny");
    assertThat(server.getEvents()).singleElement().satisfies(e -> assertThat(e.getName()).isEqualTo("toolgate.refusal"));
    // the client's policy allowed the call; the server's isError answer is the client's tool_error
    assertThat(clientSpan.getAttributes().get(AttributeKey.stringKey("toolgate.decision"))).isEqualTo("allow");
    assertThat(clientSpan.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("tool_error");
  }

  @Test
  void anAsynchronousServerParentsItsSpanTheSameWay() throws Exception {
    McpSyncClient client = client("/mcp-async");
    ENDED.spans.clear();
    client.callTool(CallToolRequest.builder("read_file").arguments(Map.of()).build());

    SpanData server = ENDED.next(SpanKind.SERVER);
    SpanData clientSpan = ENDED.next(SpanKind.CLIENT);
    assertThat(server.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
    assertThat(server.getTraceId()).isEqualTo(clientSpan.getTraceId());
  }

  /** Spans as they end, waited for by kind. */
  static final class Ended implements SpanProcessor {
    final BlockingQueue<SpanData> spans = new LinkedBlockingQueue<>();
    private final List<SpanData> skipped = new ArrayList<>();

    SpanData next(SpanKind kind) throws InterruptedException {
      for (SpanData seen : skipped) {
        if (seen.getKind() == kind) {
          skipped.remove(seen);
          return seen;
        }
      }
      while (true) {
        SpanData span = spans.poll(20, TimeUnit.SECONDS);
        assertThat(span).as("a %s span ended", kind).isNotNull();
        if (span.getKind() == kind) {
          return span;
        }
        skipped.add(span);
      }
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      spans.add(span.toSpanData());
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /**
   * Drops the {@code Connection: keep-alive} the SDK sets on its event streams, so the JDK
   * HttpClient never reuses a connection Tomcat is closing (as policy-mcp's tests do).
   */
  static final class DropConnection extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(request, new HttpServletResponseWrapper(response) {
        @Override
        public void setHeader(String name, String value) {
          if (!"Connection".equalsIgnoreCase(name)) {
            super.setHeader(name, value);
          }
        }

        @Override
        public void addHeader(String name, String value) {
          if (!"Connection".equalsIgnoreCase(name)) {
            super.addHeader(name, value);
          }
        }
      });
    }
  }
}
