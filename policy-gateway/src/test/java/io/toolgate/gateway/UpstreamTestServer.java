package io.toolgate.gateway;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The MCP server the gateway tests put behind the gateway: a plain SDK server over stdio, run as a
 * child process, with no policy of its own. Every tool call it runs is appended to the file named
 * by its first argument ({@code <pid> <tool>}), so a test sees which calls really reached it.
 *
 * <p>Tools: {@code echo}, {@code create_compile}, {@code delete_project}, {@code admin_reset},
 * {@code failing} ({@code isError: true}), {@code crash_once} (exits the process, before
 * answering, unless the file named by the second argument exists; creates it first), {@code
 * sample} (asks the client for a sampling message), {@code roots} (asks the client for its
 * roots), {@code progress} (sends progress and a log message before answering), plus 30 more
 * {@code tool_NN} tools so that tool lists are long. One resource, one prompt with completion.
 *
 * <p>With {@code --cancellable} as its third argument it also reads every line it gets for
 * {@code notifications/cancelled} and offers two more tools: {@code wait_for_cancel} (answers only
 * once the server was sent a cancellation of the request id given as its argument {@code id}, or
 * after a minute) and {@code cancellations} (the
 * request ids of every cancellation the server was sent, in order).
 *
 * <p>System properties (see {@link Upstreams#command(Path, java.util.Map)}): {@value #HOLD} names a
 * release file and adds a tool {@code hold} that answers only once that file exists; {@value
 * #RESTART_GATE} names a file that a server started after {@code crash_once} crashed waits for
 * before it reads anything (so a test sees the gateway while its restarted server is not up yet);
 * {@value #EXIT_ON_FIRST_LINE} makes the process exit (code 3) once it has read its first line,
 * before answering it (a server that dies on {@code initialize}).
 */
public final class UpstreamTestServer {
  /** The system property naming the {@code hold} tool's release file. */
  static final String HOLD = "upstream.hold";
  /** The system property naming the file a restarted server waits for. */
  static final String RESTART_GATE = "upstream.restartGate";
  /** The system property that makes the server exit on its first line, unanswered. */
  static final String EXIT_ON_FIRST_LINE = "upstream.exitOnFirstLine";

  private UpstreamTestServer() {}

  public static void main(String[] args) throws InterruptedException {
    Path calls = Path.of(args[0]);
    Path crashMarker = Path.of(args.length > 1 ? args[1] : args[0] + ".crashed");
    if (Boolean.getBoolean(EXIT_ON_FIRST_LINE)) {
      try {
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      } catch (IOException e) {
        // exits all the same
      }
      Runtime.getRuntime().halt(3);
    }
    String gate = System.getProperty(RESTART_GATE);
    if (gate != null && Files.exists(crashMarker) && !FileEvents.awaitExists(Path.of(gate), Duration.ofMinutes(2))) {
      System.exit(4);
    }
    boolean cancellable = args.length > 2 && args[2].equals("--cancellable");
    Cancellations cancellations = new Cancellations();
    // one sender at a time: two answers at once may otherwise lose one on a loaded machine
    var spec = features(McpServer.sync(new OneSenderServerTransportProvider(new StdioServerTransportProvider(
        McpJsonDefaults.getMapper(), new StdinWatch(System.in, cancellable ? cancellations::line : null), System.out))),
        calls, crashMarker);
    if (cancellable) {
      spec.toolCall(tool("wait_for_cancel"), logged(calls, "wait_for_cancel", (exchange, request) -> {
        String id = String.valueOf(request.arguments().get("id"));
        return text(cancellations.await(id) ? "wait_for_cancel cancelled" : "wait_for_cancel gave up");
      }));
      spec.toolCall(tool("cancellations"), logged(calls, "cancellations",
          (exchange, request) -> text(String.join(",", cancellations.seen()))));
    }
    spec.build();
    // The transport reads stdin on its own threads; the process exits when stdin ends, as MCP
    // servers on stdio do (StdinWatch), or when its parent goes away.
    ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
    while (parent == null || parent.isAlive()) {
      Thread.sleep(200);
    }
    System.exit(0);
  }

  /**
   * {@code spec} (over any transport) with this server's tools, resource, prompt and completion;
   * tool calls logged to {@code calls}.
   */
  static <S extends McpServer.SyncSpecification<S>> S features(S spec, Path calls, Path crashMarker) {
    spec.serverInfo("gateway-upstream", "1")
        .capabilities(McpSchema.ServerCapabilities.builder()
            .tools(true).resources(false, false).prompts(false).completions().logging().build());
    for (String name : List.of("echo", "create_compile", "delete_project", "admin_reset")) {
      spec.toolCall(tool(name), logged(calls, name, (exchange, request) -> text(name + " ok " + request.arguments())));
    }
    for (int i = 0; i < 30; i++) {
      String name = String.format("tool_%02d", i);
      spec.toolCall(tool(name), logged(calls, name, (exchange, request) -> text(name + " ok")));
    }
    spec.toolCall(tool("failing"), logged(calls, "failing",
        (exchange, request) -> CallToolResult.builder().content(List.of(new McpSchema.TextContent("it failed")))
            .isError(true).build()));
    spec.toolCall(tool("crash_once"), logged(calls, "crash_once", (exchange, request) -> {
      if (!Files.exists(crashMarker)) {
        write(crashMarker, "crashed\n");
        Runtime.getRuntime().halt(3);
      }
      return text("crash_once ok");
    }));
    spec.toolCall(tool("sample"), logged(calls, "sample", (exchange, request) -> {
      McpSchema.CreateMessageResult answer = exchange.createMessage(
          McpSchema.CreateMessageRequest.builder(
                  List.of(new McpSchema.SamplingMessage(McpSchema.Role.USER, new McpSchema.TextContent("2+2?"))), 50)
              .build());
      return text("the client said: " + ((McpSchema.TextContent) answer.content()).text());
    }));
    spec.toolCall(tool("roots"), logged(calls, "roots",
        (exchange, request) -> text("roots: " + exchange.listRoots().roots().stream().map(McpSchema.Root::uri).toList())));
    spec.toolCall(tool("progress"), logged(calls, "progress", (exchange, request) -> {
      Object token = request.meta() == null ? null : request.meta().get("progressToken");
      if (token != null) {
        exchange.progressNotification(new McpSchema.ProgressNotification(token, 0.5, 1.0, "half way"));
        exchange.progressNotification(new McpSchema.ProgressNotification(token, 1.0, 1.0, "done"));
      }
      exchange.loggingNotification(new McpSchema.LoggingMessageNotification(
          McpSchema.LoggingLevel.WARNING, "upstream", "progress tool ran"));
      return text("progress ok");
    }));
    spec.resources(new McpServerFeatures.SyncResourceSpecification(
        McpSchema.Resource.builder("test://greeting", "greeting").mimeType("text/plain").build(),
        (exchange, request) -> new McpSchema.ReadResourceResult(
            List.of(new McpSchema.TextResourceContents(request.uri(), "text/plain", "hello from upstream")))));
    spec.prompts(new McpServerFeatures.SyncPromptSpecification(
        new McpSchema.Prompt("greet", "greets someone", List.of(new McpSchema.PromptArgument("name", "who", true))),
        (exchange, request) -> new McpSchema.GetPromptResult("greeting",
            List.of(new McpSchema.PromptMessage(McpSchema.Role.USER,
                new McpSchema.TextContent("Hello, " + request.arguments().get("name")))))));
    spec.completions(new McpServerFeatures.SyncCompletionSpecification(
        new McpSchema.PromptReference("greet"),
        (exchange, request) -> new McpSchema.CompleteResult(new McpSchema.CompleteResult.CompleteCompletion(
            List.of(request.argument().value() + "ice", request.argument().value() + "ix")))));
    String hold = System.getProperty(HOLD);
    if (hold != null) {
      spec.toolCall(tool("hold"), logged(calls, "hold", (exchange, request) ->
          FileEvents.awaitExists(Path.of(hold), Duration.ofMinutes(2)) ? text("hold ok") : text("hold timed out")));
    }
    return spec;
  }

  /** The request ids of the {@code notifications/cancelled} the server was sent, as JSON text. */
  private static final class Cancellations {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> seen = new ArrayList<>();

    synchronized void line(String line) {
      if (line.contains("notifications/cancelled")) {
        try {
          JsonNode message = JSON.readTree(line);
          if ("notifications/cancelled".equals(message.path("method").asText())) {
            seen.add(message.path("params").path("requestId").toString());
            notifyAll();
          }
        } catch (IOException e) {
          System.err.println("upstream test server: unreadable line: " + e.getMessage());
        }
      }
    }

    synchronized List<String> seen() {
      return List.copyOf(seen);
    }

    /** Waits (up to a minute) until the server was sent a cancellation of request {@code id} (JSON text). */
    synchronized boolean await(String id) {
      long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      try {
        while (!seen.contains(id)) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * Stdin, exiting the process with code 0 when it ends (as MCP servers on stdio do), and handing
   * each line read (up to 64 KiB of it) to {@code lines} when that is not {@code null}, before the
   * SDK reads it.
   */
  private static final class StdinWatch extends FilterInputStream {
    private static final int MAX_LINE = 64 * 1024;
    private final Consumer<String> lines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    StdinWatch(InputStream in, Consumer<String> lines) {
      super(in);
      this.lines = lines;
    }

    @Override
    public int read() throws IOException {
      int read = atEnd(super.read());
      if (read >= 0) {
        watch(new byte[] {(byte) read}, 0, 1);
      }
      return read;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int read = atEnd(super.read(b, off, len));
      if (read > 0) {
        watch(b, off, read);
      }
      return read;
    }

    private void watch(byte[] b, int off, int len) {
      if (lines == null) {
        return;
      }
      for (int i = off; i < off + len; i++) {
        if (b[i] == '\n') {
          lines.accept(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else if (line.size() < MAX_LINE) {
          line.write(b[i]);
        }
      }
    }

    private static int atEnd(int read) {
      if (read < 0) {
        System.err.println("upstream test server: stdin closed, exiting");
        Runtime.getRuntime().halt(0);
      }
      return read;
    }
  }

  private static Tool tool(String name) {
    return Tool.builder(name, Map.of("type", "object")).description("test tool " + name).build();
  }

  private static CallToolResult text(String text) {
    return CallToolResult.builder().content(List.of(new McpSchema.TextContent(text))).build();
  }

  private static BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, CallToolResult> logged(
      Path calls, String name, BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, CallToolResult> tool) {
    return (exchange, request) -> {
      write(calls, ProcessHandle.current().pid() + " " + name + "\n");
      return tool.apply(exchange, request);
    };
  }

  private static synchronized void write(Path file, String line) {
    try {
      Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
