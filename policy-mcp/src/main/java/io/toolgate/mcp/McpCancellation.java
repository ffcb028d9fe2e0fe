package io.toolgate.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.toolgate.mcp.internal.CancelSlot;
import io.toolgate.mcp.internal.PostedMessage;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
 * another session's call, for an unknown id, or for a call already decided changes nothing; a
 * session named by the {@code Mcp-Session-Id} header and one named by the {@code sessionId} query
 * parameter are never the same session here.
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
 * keeps another principal out of a session. It reads the body of each {@code POST} only as far as
 * it must to know the JSON-RPC {@code method} and {@code id} (a streaming scan of the top-level
 * fields, no tree; a cancellation's {@code params.requestId} too), at most {@value #MAX_BODY} bytes,
 * and hands the transport the same bytes; only a {@code tools/call} request is tracked. A body it
 * cannot read (not JSON, a batch, a call whose method and id are not within {@value #MAX_BODY}
 * bytes) passes untracked. For stdio see {@link #stdio}.
 */
public final class McpCancellation extends HttpFilter {
  private static final long serialVersionUID = 1L;

  /**
   * The scan of a body reads at most this many bytes: a call whose method and id come later
   * cannot be cancelled; the transport still gets the whole body.
   */
  public static final int MAX_BODY = 1 << 20;

  private static final String ATTRIBUTE = McpCancellation.class.getName() + ".slot";
  private static final int MAX_TRACKED = 100_000;

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
   * server per process. Every {@code tools/call} line is parsed and its content hashed: prefer
   * {@link #stdio(InputStream, McpToolGuard)}.
   */
  public static InputStream stdio(InputStream input) {
    return new StdioScanner(java.util.Objects.requireNonNull(input, "input"), MAX_LINE);
  }

  /**
   * {@link #stdio(InputStream)} for a server whose tools {@code guard} guards: a {@code tools/call}
   * line is parsed into a tree and its content hashed only when the guard's policy, as it is when
   * the line is read, may hold its tool (a {@code require_approval} entry's key matches the name);
   * any other line is read by a streaming scan, and its call is not remembered. A call read before
   * a hot reload made its tool holdable cannot be cancelled.
   */
  public static InputStream stdio(InputStream input, McpToolGuard guard) {
    java.util.Objects.requireNonNull(guard, "guard");
    return new StdioScanner(java.util.Objects.requireNonNull(input, "input"), MAX_LINE, guard::mayHold);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String sessionId = sessionId(request);
    if (!"POST".equals(request.getMethod()) || sessionId == null) {
      chain.doFilter(request, response);
      return;
    }
    ServletInputStream body = request.getInputStream();
    PostedMessage message = PostedMessage.read(body, MAX_BODY, request.getContentLengthLong());
    HttpServletRequest replay = new Replay(request, message, body);
    if (message.kind() == PostedMessage.Kind.CANCELLED) {
      CancelSlot slot = inFlight.get(key(sessionId, message.id()));
      if (slot != null) {
        slot.cancel();
      }
      chain.doFilter(replay, response);
      return;
    }
    if (message.kind() != PostedMessage.Kind.CALL || inFlight.size() >= MAX_TRACKED) {
      chain.doFilter(replay, response); // not a call: nothing tracked, nothing allocated for it
      return;
    }
    String key = key(sessionId, message.id());
    CancelSlot slot = new CancelSlot();
    if (inFlight.putIfAbsent(key, slot) != null) {
      chain.doFilter(replay, response); // its id is already in flight: not tracked
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
   * The streamable transport's {@code Mcp-Session-Id} header ({@code h} and its value) or the SSE
   * transport's {@code sessionId} query parameter ({@code q} and its value, read from the query
   * string: a form body is never parsed); {@code null} when both are given and differ (the
   * transport may go by either). The two are kept apart: {@link McpSessionFilter} checks the
   * header only, so a cancellation naming a streamable session in the query (which that transport
   * ignores) must not reach the calls of the principal who owns it.
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
    if (header != null) {
      return header.isBlank() ? null : "h" + header;
    }
    return parameter == null || parameter.isBlank() ? null : "q" + parameter;
  }

  /** The session (as {@link #sessionId} tags it) and a JSON-RPC id as {@link PostedMessage#id} gives it. */
  private static String key(String sessionId, String id) {
    return sessionId + '\u0000' + id;
  }

  /** A transport context that also carries a call's slot. */
  private record WithSlot(McpTransportContext context, CancelSlot slot) implements McpTransportContext {
    @Override
    public Object get(String key) {
      return CancelSlot.CONTEXT_KEY.equals(key) ? slot : context.get(key);
    }
  }

  /** The request, its body the bytes this filter read, then the rest of the client's stream. */
  private static final class Replay extends HttpServletRequestWrapper {
    private final ServletInputStream in;

    Replay(HttpServletRequest request, PostedMessage message, InputStream rest) {
      super(request);
      byte[] head = message.bytes();
      int headLength = message.length();
      this.in = new ServletInputStream() {
        private int position;
        private boolean finished;

        @Override
        public int read() throws IOException {
          if (position < headLength) {
            return head[position++] & 0xff;
          }
          int b = rest.read();
          finished = b < 0;
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (len == 0) {
            return 0;
          }
          if (position < headLength) {
            int n = Math.min(len, headLength - position);
            System.arraycopy(head, position, b, off, n);
            position += n;
            return n;
          }
          int n = rest.read(b, off, len);
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
