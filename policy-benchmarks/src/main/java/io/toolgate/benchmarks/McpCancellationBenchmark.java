package io.toolgate.benchmarks;

import io.toolgate.mcp.McpCancellation;
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
import java.util.concurrent.TimeUnit;
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
