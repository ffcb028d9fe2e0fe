package io.toolgate.benchmarks.gateway;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.gateway.Gateway;
import io.toolgate.gateway.GatewayServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gateway adds to a tool call: the MCP SDK's sync client calls {@code echo} on an SDK
 * server ({@link EchoServers}) directly ({@code direct_*}) and through the gateway ({@code
 * toolgate_*}, the policy deciding every call), over streamable HTTP on both sides (gateway,
 * upstream server and clients in this JVM, one client session per thread) and over stdio (the
 * gateway jar's {@code Main} as a child process running the server as its child, as a desktop
 * client runs it; one session shared by the threads), with 1 and 8 threads. Throughput (calls per
 * millisecond) and sample time (percentiles, in milliseconds). Run it with {@code
 * policy-benchmarks/gateway.sh} (about 5 minutes, in gateway.sh's JVM: {@code -Xms512m -Xmx512m}).
 * Each row warms up for 10 s: the gateway's code is compiled at full speed only after some ten
 * thousand calls, and a long-running gateway runs it so.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// No fork: the run stays within 3 minutes on 2 loaded cores (a fork per row and mode doubled it);
// every row still warms up on its own, and what is measured is I/O and thread hand-offs.
@Fork(0)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 1)
public class GatewayBenchmark {
  /** Every call of a run is allowed: what is measured is the relay of an admitted call. */
  static final String POLICY = "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\"echo\":{}}}";
  static final CallToolRequest ECHO = CallToolRequest.builder("echo").arguments(Map.of("a", 1)).build();

  /** The upstream server over streamable HTTP, and the gateway in front of it. */
  @State(Scope.Benchmark)
  public static class Http {
    EchoServers.Http upstream;
    GatewayServer gateway;
    String gatewayUrl;

    @Setup(Level.Trial)
    public void start() throws IOException {
      upstream = new EchoServers.Http();
      gateway = GatewayServer.builder(
              Gateway.builder(PolicyEngine.of(Policy.parse(POLICY)), URI.create(upstream.url() + "/mcp")))
          .listen(new InetSocketAddress("127.0.0.1", 0))
          .maxSessions(32)
          .start();
      gatewayUrl = "http://127.0.0.1:" + gateway.address().getPort();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      gateway.close();
      upstream.close();
    }
  }

  /** One thread's client session, straight to the upstream server. */
  @State(Scope.Thread)
  public static class DirectHttpClient {
    McpSyncClient client;

    @Setup(Level.Trial)
    public void open(Http http) {
      client = connect(http(http.upstream.url()));
    }

    @TearDown(Level.Trial)
    public void close() {
      client.closeGracefully();
    }
  }

  /** One thread's client session, through the gateway. */
  @State(Scope.Thread)
  public static class GatewayHttpClient {
    McpSyncClient client;

    @Setup(Level.Trial)
    public void open(Http http) {
      client = connect(http(http.gatewayUrl));
    }

    @TearDown(Level.Trial)
    public void close() {
      client.closeGracefully();
    }
  }

  /** The stdio server as a child process, one session for every thread. */
  @State(Scope.Benchmark)
  public static class DirectStdio {
    McpSyncClient client;

    @Setup(Level.Trial)
    public void open() {
      client = connect(stdio(server()));
    }

    @TearDown(Level.Trial)
    public void close() {
      client.closeGracefully();
    }
  }

  /** The gateway's {@code Main} as a child process, the stdio server its child; one session for every thread. */
  @State(Scope.Benchmark)
  public static class GatewayStdio {
    McpSyncClient client;
    Path policy;

    @Setup(Level.Trial)
    public void open() throws IOException {
      policy = Files.createTempFile("gateway-bench-policy", ".json");
      Files.writeString(policy, POLICY);
      List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m",
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
          "io.toolgate.gateway.Main", "--policy", policy.toString(), "--"));
      command.addAll(server());
      client = connect(stdio(command));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      client.closeGracefully();
      Files.deleteIfExists(policy);
    }
  }

  @Benchmark
  @Threads(1)
  public CallToolResult direct_http(DirectHttpClient session) {
    return session.client.callTool(ECHO);
  }

  @Benchmark
  @Threads(1)
  public CallToolResult toolgate_http(GatewayHttpClient session) {
    return session.client.callTool(ECHO);
  }

  @Benchmark
  @Threads(8)
  public CallToolResult direct_http8(DirectHttpClient session) {
    return session.client.callTool(ECHO);
  }

  @Benchmark
  @Threads(8)
  public CallToolResult toolgate_http8(GatewayHttpClient session) {
    return session.client.callTool(ECHO);
  }

  @Benchmark
  @Threads(1)
  public CallToolResult direct_stdio(DirectStdio session) {
    return session.client.callTool(ECHO);
  }

  @Benchmark
  @Threads(1)
  public CallToolResult toolgate_stdio(GatewayStdio session) {
    return session.client.callTool(ECHO);
  }

  @Benchmark
  @Threads(8)
  public CallToolResult direct_stdio8(DirectStdio session) {
    return session.client.callTool(ECHO);
  }

  @Benchmark
  @Threads(8)
  public CallToolResult toolgate_stdio8(GatewayStdio session) {
    return session.client.callTool(ECHO);
  }

  static McpClientTransport http(String base) {
    return HttpClientStreamableHttpTransport.builder(base).endpoint("/mcp").build();
  }

  static McpClientTransport stdio(List<String> command) {
    return new StdioClientTransport(
        ServerParameters.builder(command.get(0)).args(command.subList(1, command.size())).build(),
        McpJsonDefaults.getMapper());
  }

  /** The command that runs the stdio echo server on this JVM's class path. */
  static List<String> server() {
    return List.of(java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"), EchoServers.class.getName());
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static McpSyncClient connect(McpClientTransport transport) {
    McpSyncClient client = McpClient.sync(transport)
        .requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60)).build();
    client.initialize();
    CallToolResult first = client.callTool(ECHO);
    if (Boolean.TRUE.equals(first.isError())) {
      throw new IllegalStateException("echo failed: " + first);
    }
    return client;
  }
}
