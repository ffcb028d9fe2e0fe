package io.toolgate.cli.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.ListToolsResult;
import io.toolgate.api.AgentText;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Lists a server's tools with the MCP SDK's client, over stdio (a child process) or streamable
 * HTTP, through every page of {@code tools/list}. Each page is read from the raw reply rather than
 * the SDK's typed one, so one malformed tool (an {@code inputSchema} that is not an object, a name
 * that is not a string) cannot hide the others; and the reading is bounded: at most {@link
 * #MAX_TOOLS} tools over at most {@link #MAX_PAGES} pages.
 */
public final class ServerTools {
  /** Most tools read from one server. */
  public static final int MAX_TOOLS = 10_000;
  /** Most {@code tools/list} pages read from one server. */
  public static final int MAX_PAGES = 1_000;
  /** Largest HTTP response read, in bytes. */
  static final int MAX_RESPONSE_BYTES = 32 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ServerTools() {}

  /** Where the server is. */
  public sealed interface Server permits Command, Url {}

  /** A server run as a child process that speaks MCP on its stdin and stdout. */
  public record Command(List<String> command) implements Server {
    public Command {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("an empty command");
      }
    }
  }

  /** A streamable HTTP server, e.g. {@code http://127.0.0.1:8080/mcp}, with headers sent on every request. */
  public record Url(URI url, Map<String, String> headers) implements Server {
    public Url {
      Objects.requireNonNull(url, "url");
      headers = Map.copyOf(headers);
    }
  }

  /**
   * Every tool {@code server} lists, in order.
   *
   * @throws ScanException if the server cannot be reached, fails, or breaks a bound
   */
  public static List<ScannedTool> list(Server server, Duration timeout) {
    if (server instanceof Command command) {
      checkExecutable(command.command().get(0));
    }
    return list(server, timeout, new StderrTail());
  }

  private static List<ScannedTool> list(Server server, Duration timeout, StderrTail stderr) {
    RawPages transport = new RawPages(transport(server, stderr));
    McpSyncClient client = McpClient.sync(transport)
        .clientInfo(new McpSchema.Implementation("toolgate-scan", "1"))
        .requestTimeout(timeout)
        .initializationTimeout(timeout)
        .build();
    try {
      client.initialize();
      List<ScannedTool> tools = new ArrayList<>();
      Set<String> cursors = new HashSet<>();
      String cursor = null;
      for (int page = 0; ; page++) {
        if (page == MAX_PAGES) {
          throw new ScanException("the server's tools/list has more than " + MAX_PAGES + " pages");
        }
        client.listTools(cursor);
        JsonNode raw = transport.lastPage();
        read(raw, tools);
        JsonNode next = raw.get("nextCursor");
        cursor = next != null && next.isTextual() ? next.textValue() : null;
        if (cursor == null) {
          return tools;
        }
        if (!cursors.add(cursor)) {
          throw new ScanException("the server's tools/list repeats the cursor " + AgentText.excerpt(cursor));
        }
      }
    } catch (ScanException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ScanException("cannot list the server's tools: " + AgentText.excerpt(message(e, timeout), 400) + stderr.render(), e);
    } finally {
      client.close();
    }
  }

  /** The root cause, in words: what the user can act on, rather than the SDK's wrapper. */
  private static String message(Throwable e, Duration timeout) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof TimeoutException) {
      return "no reply within " + timeout.toSeconds() + " s (" + e.getMessage() + ")";
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /**
   * The last lines a child server wrote to its standard error, kept to show if the scan fails. The
   * SDK reads them while the server runs; it stops when the server's output ends, so lines written
   * just before the server exits may be missing.
   */
  private static final class StderrTail implements Consumer<String> {
    private static final int LINES = 5;
    private final Deque<String> lines = new ArrayDeque<>();

    @Override
    public synchronized void accept(String line) {
      if (lines.size() == LINES) {
        lines.removeFirst();
      }
      lines.addLast(AgentText.excerpt(line, 200));
    }

    synchronized String render() {
      return lines.isEmpty() ? "" : "; the server's standard error ended with:\n  " + String.join("\n  ", lines);
    }
  }

  /** Fails at once, with the reason, when {@code program} names no executable file (the SDK would only time out). */
  private static void checkExecutable(String program) {
    if (program.contains("/") || program.contains(java.io.File.separator)) {
      if (!Files.isExecutable(Path.of(program))) {
        throw new ScanException("cannot run " + AgentText.excerpt(program) + ": no such executable file");
      }
      return;
    }
    String path = System.getenv("PATH");
    if (path == null || java.io.File.separatorChar == '\\') {
      return; // Windows resolves programs its own way (PATHEXT): let the process start tell
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return;
      }
    }
    throw new ScanException("cannot run " + AgentText.excerpt(program) + ": not found on the PATH");
  }

  private static void read(JsonNode page, List<ScannedTool> tools) {
    JsonNode listed = page.get("tools");
    if (listed == null || !listed.isArray()) {
      throw new ScanException("the server's tools/list reply has no tools array");
    }
    for (JsonNode tool : listed) {
      if (tools.size() == MAX_TOOLS) {
        throw new ScanException("the server lists more than " + MAX_TOOLS + " tools");
      }
      JsonNode name = tool.get("name");
      if (name == null || !name.isTextual()) {
        continue; // no name an entry could hold: default deny refuses whatever it is
      }
      JsonNode description = tool.get("description");
      tools.add(new ScannedTool(name.textValue(), description != null && description.isTextual() ? description.textValue() : null,
          tool.get("inputSchema"), ScannedTool.Hints.of(tool.get("annotations"))));
    }
  }

  private static McpClientTransport transport(Server server, Consumer<String> stderr) {
    if (server instanceof Command command) {
      ServerParameters parameters = ServerParameters.builder(command.command().get(0))
          .args(command.command().subList(1, command.command().size()))
          .build();
      StdioClientTransport stdio = new StdioClientTransport(parameters, McpJsonDefaults.getMapper());
      stdio.setStdErrorHandler(stderr); // the server's log is not the scan's output, unless it fails
      return stdio;
    }
    Url url = (Url) server;
    URI uri = url.url();
    String base = uri.getScheme() + "://" + uri.getRawAuthority();
    String endpoint = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return HttpClientStreamableHttpTransport.builder(base)
        .endpoint(endpoint)
        .maxResponseSize(MAX_RESPONSE_BYTES)
        .httpRequestCustomizer((request, method, target, body, context) -> url.headers().forEach(request::header))
        .build();
  }

  /**
   * Hands the SDK an empty tool list for each {@code tools/list} page (its cursor kept) and keeps
   * the raw page, which {@link #read} reads leniently. Everything else passes through.
   */
  private static final class RawPages implements McpClientTransport {
    private final McpClientTransport delegate;
    private volatile JsonNode lastPage;

    RawPages(McpClientTransport delegate) {
      this.delegate = delegate;
    }

    JsonNode lastPage() {
      JsonNode page = lastPage;
      lastPage = null;
      if (page == null || !page.isObject()) {
        throw new ScanException("the server's tools/list reply is not an object");
      }
      return page;
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
      if (type.getType() == ListToolsResult.class) {
        JsonNode page = JSON.valueToTree(data);
        lastPage = page;
        JsonNode next = page == null ? null : page.get("nextCursor");
        @SuppressWarnings("unchecked")
        T empty = (T) new ListToolsResult(List.of(), next != null && next.isTextual() ? next.textValue() : null);
        return empty;
      }
      return delegate.unmarshalFrom(data, type);
    }

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
      return delegate.connect(handler);
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
      delegate.setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      return delegate.sendMessage(message);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return delegate.closeGracefully();
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public List<String> protocolVersions() {
      return delegate.protocolVersions();
    }
  }
}
