package io.toolgate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import io.toolgate.mcp.internal.CancelSlot;
import io.toolgate.mcp.internal.StdioScanner;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets an MCP client cancel a {@code tools/call} that the engine holds for an approval: a servlet
 * filter in front of the SDK's streamable HTTP servlet ({@code
 * HttpServletStreamableServerTransportProvider}), and the transport's context extractor wrapped by
 * {@link #extractor}. The SDK (2.0, 2.1) ignores {@code notifications/cancelled}; with this, a
 * cancellation naming a held call's JSON-RPC id, sent in the same MCP session, withdraws the
 * approval request ({@code ApprovalService.withdraw}), and the tool never runs. A cancellation for
 * another session's call, for an unknown id, or for a call already decided changes nothing.
 *
 * <pre>{@code
 * McpCancellation cancellation = McpCancellation.create();
 * var transport = HttpServletStreamableServerTransportProvider.builder()
 *     .contextExtractor(cancellation.extractor(extractor))   // your extractor, wrapped
 *     .build();
 * // servlet container: authentication, McpSessionFilter, then this filter, then the transport
 * }</pre>
 *
 * <p>The same filter serves the SSE servlet transport ({@code HttpServletSseServerTransportProvider},
 * whose messages are posted with {@code ?sessionId=}): give its builder the wrapped extractor too.
 * Stateless servers have no sessions to cancel in. Put it after {@link McpSessionFilter}, which
 * keeps another principal out of a session. It reads the body of each {@code POST} (up to {@value
 * #MAX_BODY} bytes; a larger one passes untouched) and hands the transport the same bytes. For
 * stdio see {@link #stdio}.
 */
public final class McpCancellation extends HttpFilter {
  private static final long serialVersionUID = 1L;

  /** Bodies larger than this are passed on unread: no cancellation for such a call. */
  public static final int MAX_BODY = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ATTRIBUTE = McpCancellation.class.getName() + ".slot";
  private static final int MAX_TRACKED = 100_000;
  private static final String CANCELLED = "notifications/cancelled";

  private final transient Map<String, CancelSlot> inFlight = new ConcurrentHashMap<>();

  private McpCancellation() {}

  /** Lines of a stdio input longer than this are passed on unscanned: no cancellation for them. */
  public static final int MAX_LINE = 1 << 20;

  /** A filter with no call in flight. */
  public static McpCancellation create() {
    return new McpCancellation();
  }

  /**
   * {@code extractor}'s context, carrying the slot of the {@code tools/call} the request holds, if
   * this filter saw one: give it to the transport's builder ({@code contextExtractor}).
   */
  public McpTransportContextExtractor<HttpServletRequest> extractor(
      McpTransportContextExtractor<HttpServletRequest> extractor) {
    java.util.Objects.requireNonNull(extractor, "extractor");
    return request -> {
      McpTransportContext context = extractor.extract(request);
      McpTransportContext base = context == null ? McpTransportContext.EMPTY : context;
      return request.getAttribute(ATTRIBUTE) instanceof CancelSlot slot ? new WithSlot(base, slot) : base;
    };
  }

  /**
   * {@code input} (the stdio server's, usually {@code System.in}), for {@code new
   * StdioServerTransportProvider(mapper, McpCancellation.stdio(System.in), System.out)}: the same
   * bytes, passed on as they are read; a {@code notifications/cancelled} line naming a held {@code
   * tools/call} by its id withdraws it, as on HTTP. On stdio the SDK gives a tool neither the
   * request's id nor a transport context, so the guard finds the call by its content: of several
   * calls in flight with the same name, arguments and {@code _meta}, a cancellation may withdraw
   * another than the one it names. Lines over {@value #MAX_LINE} bytes are not scanned; one stdio
   * server per process.
   */
  public static InputStream stdio(InputStream input) {
    return new StdioScanner(java.util.Objects.requireNonNull(input, "input"), MAX_LINE);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String sessionId = sessionId(request);
    if (!"POST".equals(request.getMethod()) || sessionId == null || sessionId.isBlank()) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      chain.doFilter(new Replay(request, new SequenceInputStream(
          new ByteArrayInputStream(body), request.getInputStream())), response);
      return;
    }
    HttpServletRequest replay = new Replay(request, new ByteArrayInputStream(body));
    JsonNode message = parse(body);
    String method = message.path("method").asText("");
    if (CANCELLED.equals(method) && !message.has("id")) {
      String key = key(sessionId, message.path("params").path("requestId"));
      CancelSlot slot = key == null ? null : inFlight.get(key);
      if (slot != null) {
        slot.cancel();
      }
      chain.doFilter(replay, response);
      return;
    }
    String key = McpSchema.METHOD_TOOLS_CALL.equals(method) ? key(sessionId, message.path("id")) : null;
    CancelSlot slot = new CancelSlot();
    if (key == null || inFlight.size() >= MAX_TRACKED || inFlight.putIfAbsent(key, slot) != null) {
      chain.doFilter(replay, response); // not a call, or its id is already in flight: not tracked
      return;
    }
    replay.setAttribute(ATTRIBUTE, slot);
    try {
      chain.doFilter(replay, response); // the SDK's servlet returns once the call is answered
    } finally {
      inFlight.remove(key, slot);
    }
  }

  /**
   * The streamable transport's {@code Mcp-Session-Id} header or the SSE transport's {@code
   * sessionId} query parameter (read from the query string: a form body is never parsed); {@code
   * null} when both are given and differ (the transport may go by either).
   */
  private static String sessionId(HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.MCP_SESSION_ID);
    String query = request.getQueryString();
    String parameter = null;
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith("sessionId=")) {
        try {
          parameter = java.net.URLDecoder.decode(pair.substring("sessionId=".length()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null; // a broken escape: no session the transport knows either
        }
        break;
      }
    }
    if (header != null && parameter != null && !header.equals(parameter)) {
      return null;
    }
    return header != null ? header : parameter;
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node == null ? JSON.missingNode() : node;
    } catch (IOException | RuntimeException e) {
      return JSON.missingNode(); // not JSON: the transport answers it
    }
  }

  /** The session and a JSON-RPC id (a string or an integer); {@code null} for any other id. */
  private static String key(String sessionId, JsonNode id) {
    if (id.isTextual()) {
      return sessionId + "\u0000s" + id.asText();
    }
    if (id.isIntegralNumber()) {
      return sessionId + "\u0000n" + id.bigIntegerValue();
    }
    return null;
  }

  /** A transport context that also carries a call's slot. */
  private record WithSlot(McpTransportContext context, CancelSlot slot) implements McpTransportContext {
    @Override
    public Object get(String key) {
      return CancelSlot.CONTEXT_KEY.equals(key) ? slot : context.get(key);
    }
  }

  /** The request, its body read again from what this filter read. */
  private static final class Replay extends HttpServletRequestWrapper {
    private final ServletInputStream in;

    Replay(HttpServletRequest request, InputStream body) {
      super(request);
      this.in = new ServletInputStream() {
        private boolean finished;

        @Override
        public int read() throws IOException {
          int b = body.read();
          finished = b < 0;
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = body.read(b, off, len);
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
          throw new UnsupportedOperationException("the body is read synchronously");
        }
      };
    }

    @Override
    public ServletInputStream getInputStream() {
      return in;
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(in, charset(getCharacterEncoding())));
    }

    private static Charset charset(String encoding) {
      try {
        return encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      } catch (IllegalArgumentException e) {
        return StandardCharsets.UTF_8; // a name the JDK does not know: the transport reads JSON as UTF-8
      }
    }
  }
}
