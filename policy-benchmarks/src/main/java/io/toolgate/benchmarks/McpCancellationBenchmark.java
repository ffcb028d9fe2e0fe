package io.toolgate.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What {@link McpCancellation} adds to a {@code POST} of an MCP session: the filter in front of a
 * chain that reads the whole body as the SDK's servlet does ({@code toolgate_filter}), beside the
 * same chain reading the body with no filter ({@code baseline_read}). Bodies: a typical {@code
 * tools/call} as the Java SDK's client writes it ({@code call}, 0.3 KB); the answer to a sampling
 * request, 256 KB of text ({@code bigResponse}); a {@code tools/call} whose 64 KB of arguments come
 * before its id, as the TypeScript SDK orders fields ({@code bigCallIdLast}). The request is a
 * {@link Proxy} (no container): its cost is the same in both rows.
 *
 * <p>On stdio, the same message as one line of a server's input: read through {@link
 * McpCancellation#stdio(InputStream, McpToolGuard)} ({@code toolgate_stdio}), through {@link
 * McpCancellation#stdio(InputStream)} ({@code toolgate_stdioWithoutGuard}: every call hashed) or as
 * it is ({@code baseline_stdio}), then, for a
 * {@code tools/call}, handed to the guarded handler of a synchronous server as the SDK would, in a
 * policy whose only approval entry is for another tool (no call here can be held).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class McpCancellationBenchmark {
  @Param({"call", "bigResponse", "bigCallIdLast"})
  public String body;

  private byte[] bytes;
  private final McpCancellation filter = McpCancellation.create();
  private final HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(
      McpCancellationBenchmark.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
      (proxy, method, args) -> null);
  private final Reading chain = new Reading();

  private static final String POLICY =
      "version: '1'\ndefault: allow\ntools:\n  create_live_algorithm: { action: require_approval, wait: 2m }\n";
  private static final CallToolResult OK = CallToolResult.builder().content(List.of()).build();
  private final byte[] buffer = new byte[8192];
  private int lineLength;
  private InputStream source;
  private InputStream stdin;
  private InputStream unguarded;
  private BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler;
  private McpSyncServerExchange exchange;
  private CallToolRequest call;

  @Setup
  public void setUp() throws Exception {
    bytes = switch (body) {
      case "call" -> ("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":42,\"params\":{\"name\":\"create_backtest\","
          + "\"arguments\":{\"projectId\":\"p-123\",\"compileId\":\"c-456\",\"name\":\"nightly run\","
          + "\"parameters\":{\"fast\":10,\"slow\":30}},\"_meta\":{\"progressToken\":\"tok-42\","
          + "\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}}}")
          .getBytes(StandardCharsets.UTF_8);
      case "bigResponse" -> ("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"role\":\"assistant\",\"content\":"
          + "{\"type\":\"text\",\"text\":\"" + "lorem ipsum ".repeat(256 * 1024 / 12) + "\"},\"model\":\"m\"}}")
          .getBytes(StandardCharsets.UTF_8);
      case "bigCallIdLast" -> ("{\"method\":\"tools/call\",\"params\":{\"name\":\"write_file\",\"arguments\":"
          + "{\"path\":\"a.txt\",\"content\":\"" + "0123456789abcdef".repeat(64 * 1024 / 16) + "\"}},"
          + "\"jsonrpc\":\"2.0\",\"id\":43}").getBytes(StandardCharsets.UTF_8);
      default -> throw new IllegalArgumentException(body);
    };
    filter.doFilter(request(), response, chain);
    Checks.isTrue(chain.read == bytes.length, "the chain reads the whole body through the filter");

    byte[] line = Arrays.copyOf(bytes, bytes.length + 1);
    line[bytes.length] = '\n';
    lineLength = line.length;
    source = new Repeating(line);
    McpToolGuard guard = McpToolGuard.builder(PolicyEngine.of(Policies.parse(POLICY)))
        .identity(McpIdentityResolver.fixed(CallContext.of("agent-1")))
        .build();
    stdin = McpCancellation.stdio(new Repeating(line), guard);
    unguarded = McpCancellation.stdio(new Repeating(line));
    handler = guard.guard(new McpServerFeatures.SyncToolSpecification(
        McpSchema.Tool.builder("any", Map.of("type", "object")).build(), (exchange, request) -> OK)).callHandler();
    exchange = new McpSyncServerExchange(
        new McpAsyncServerExchange("session-1", null, null, null, McpTransportContext.EMPTY));
    ObjectMapper json = new ObjectMapper();
    JsonNode message = json.readTree(bytes);
    if ("tools/call".equals(message.path("method").asText())) {
      JsonNode params = message.path("params");
      @SuppressWarnings("unchecked")
      Map<String, Object> arguments = json.convertValue(params.path("arguments"), Map.class);
      @SuppressWarnings("unchecked")
      Map<String, Object> meta = params.has("_meta") ? json.convertValue(params.get("_meta"), Map.class) : null;
      call = new CallToolRequest(params.path("name").asText(), arguments, meta);
      Checks.isTrue(toolgate_stdio() == OK, "the call is allowed and runs");
      Checks.isTrue(toolgate_stdioWithoutGuard() == OK, "the call is allowed and runs");
    }
  }

  @Benchmark
  public Object toolgate_stdio() throws IOException {
    return stdioCall(stdin);
  }

  @Benchmark
  public Object toolgate_stdioWithoutGuard() throws IOException {
    return stdioCall(unguarded);
  }

  @Benchmark
  public Object baseline_stdio() throws IOException {
    return stdioCall(source);
  }

  /** Reads one line from {@code in}, as the SDK's reader does, then hands a call to the guard. */
  private Object stdioCall(InputStream in) throws IOException {
    int read = 0;
    while (read < lineLength) {
      read += in.read(buffer, 0, Math.min(buffer.length, lineLength - read));
    }
    return call == null ? (Object) read : handler.apply(exchange, call);
  }

  @Benchmark
  public int toolgate_filter() throws IOException, ServletException {
    filter.doFilter(request(), response, chain);
    return chain.read;
  }

  @Benchmark
  public int baseline_read() throws IOException, ServletException {
    chain.doFilter(request(), response);
    return chain.read;
  }

  /** A POST of session {@code session-1} with the body. */
  private HttpServletRequest request() {
    ServletInputStream in = new Body(new ByteArrayInputStream(bytes));
    return (HttpServletRequest) Proxy.newProxyInstance(
        McpCancellationBenchmark.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getMethod" -> "POST";
          case "getHeader" -> "Mcp-Session-Id".equalsIgnoreCase((String) args[0]) ? "session-1" : null;
          case "getInputStream" -> in;
          case "getContentLength" -> bytes.length;
          case "getContentLengthLong" -> (long) bytes.length;
          case "getContentType" -> "application/json";
          default -> null;
        });
  }

  /** Reads the whole body, as the SDK's servlet does, into a buffer it keeps. */
  private static final class Reading implements FilterChain {
    private final byte[] buffer = new byte[8192];
    int read;

    @Override
    public void doFilter(ServletRequest request, jakarta.servlet.ServletResponse response) throws IOException {
      InputStream in = request.getInputStream();
      int total = 0;
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
      }
      read = total;
    }
  }

  /** One line, handed out again and again: never an end, which would close a stdio scanner. */
  private static final class Repeating extends InputStream {
    private final byte[] line;
    private int position;

    Repeating(byte[] line) {
      this.line = line;
    }

    @Override
    public int read() {
      int b = line[position] & 0xff;
      position = (position + 1) % line.length;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int n = Math.min(len, line.length - position);
      System.arraycopy(line, position, b, off, n);
      position = (position + n) % line.length;
      return n;
    }
  }

  /** A servlet input stream over bytes. */
  private static final class Body extends ServletInputStream {
    private final InputStream in;
    private boolean finished;

    Body(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      finished = b < 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      finished = n < 0;
      return n;
    }

    @Override
    public boolean isFinished() {
      return finished;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException();
    }
  }
}
