package io.toolgate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.toolgate.api.AgentText;
import io.toolgate.api.CallContext;
import io.toolgate.mcp.McpSessionOwners.Verdict;
import io.toolgate.mcp.internal.Refusals;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A servlet filter, in front of the MCP SDK's streamable HTTP servlet ({@code
 * HttpServletStreamableServerTransportProvider}), that keeps each MCP session to the principal
 * that opened it.
 *
 * <ul>
 *   <li>An {@code initialize} that opens a session records its principal in {@link
 *       McpSessionOwners}, before the response (and so the session id) reaches the client.
 *   <li>A request whose {@code Mcp-Session-Id} another principal opened, {@code DELETE} included,
 *       gets 403 and never reaches the transport; one whose session is unknown (never opened
 *       here, deleted, or forgotten) gets 404, as the MCP transport specification asks, so the
 *       client opens a new session.
 *   <li>A successful {@code DELETE}, or a 404 from the transport, forgets the session.
 *   <li>The transport's {@code Connection} header is dropped: the container decides whether a
 *       connection stays open, and says so (the SDK's {@code keep-alive} on event streams would
 *       otherwise hide the container's {@code close} from clients that read the first value).
 *   <li>Error responses are short JSON-RPC errors ({@code {"jsonrpc":"2.0","id":null,"error":
 *       {"code":..,"message":..}}}), the transport's included: the SDK (2.1) serialises its
 *       exception, stack trace and all, into the body of some of them. Messages are {@link
 *       AgentText#excerpt excerpts}; neither the session id nor the other principal is named.
 * </ul>
 *
 * <p>The caller is who {@code identity} finds in the context {@code extractor} builds: pass the
 * same extractor as the transport's, and put this filter after the one that authenticates.
 *
 * <pre>{@code
 * McpSessionOwners owners = McpSessionOwners.create();
 * var transport = HttpServletStreamableServerTransportProvider.builder().contextExtractor(extractor).build();
 * McpToolGuard guard = McpToolGuard.builder(engine).sessionOwners(owners).build();
 * // servlet container: authentication filter, then McpSessionFilter.of(owners, extractor), then transport
 * }</pre>
 */
public final class McpSessionFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  /** The JSON-RPC error code of an unknown session (as other MCP SDKs answer it). */
  public static final int SESSION_NOT_FOUND = -32001;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int INVALID_REQUEST = -32600;
  private static final int INTERNAL_ERROR = -32603;
  /** How much of a transport's error body is read to find its message; the rest is dropped. */
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final transient McpSessionOwners owners;
  private final transient McpTransportContextExtractor<HttpServletRequest> extractor;
  private final transient McpIdentityResolver identity;

  private McpSessionFilter(
      McpSessionOwners owners,
      McpTransportContextExtractor<HttpServletRequest> extractor,
      McpIdentityResolver identity) {
    this.owners = Objects.requireNonNull(owners, "owners");
    this.extractor = Objects.requireNonNull(extractor, "extractor");
    this.identity = Objects.requireNonNull(identity, "identity");
  }

  /**
   * A filter recording session owners in {@code owners}, the caller being the principal {@link
   * McpIdentityResolver#fromTransportContext()} finds in what {@code extractor} builds.
   */
  public static McpSessionFilter of(
      McpSessionOwners owners, McpTransportContextExtractor<HttpServletRequest> extractor) {
    return of(owners, extractor, McpIdentityResolver.fromTransportContext());
  }

  /** As {@link #of(McpSessionOwners, McpTransportContextExtractor)}, with another resolver. */
  public static McpSessionFilter of(
      McpSessionOwners owners,
      McpTransportContextExtractor<HttpServletRequest> extractor,
      McpIdentityResolver identity) {
    return new McpSessionFilter(owners, extractor, identity);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String principal = principalOf(request);
    String sessionId = request.getHeader(HttpHeaders.MCP_SESSION_ID);
    boolean named = sessionId != null && !sessionId.isBlank();
    if (named) {
      Verdict verdict = owners.verdict(sessionId, principal);
      if (verdict == Verdict.UNKNOWN) {
        writeError(response, HttpServletResponse.SC_NOT_FOUND, SESSION_NOT_FOUND, "Session not found");
        return;
      }
      if (verdict == Verdict.OTHER) {
        writeError(response, HttpServletResponse.SC_FORBIDDEN, Refusals.ERROR_CODE,
            "This MCP session was opened by another principal");
        return;
      }
    }
    ShortErrors wrapped = new ShortErrors(response, named ? null : principal, !named);
    chain.doFilter(request, wrapped);
    if (request.isAsyncStarted()) {
      return; // a stream: the transport answers on it; nothing ended here
    }
    int status = wrapped.getStatus();
    if (named
        && (status == HttpServletResponse.SC_NOT_FOUND
            || ("DELETE".equals(request.getMethod()) && status >= 200 && status < 300))) {
      owners.forget(sessionId);
    }
    wrapped.finish();
  }

  private String principalOf(HttpServletRequest request) {
    McpTransportContext context = extractor.extract(request);
    CallContext caller = identity.resolve(context == null ? McpTransportContext.EMPTY : context, null);
    return caller == null ? null : caller.principal();
  }

  private static void writeError(HttpServletResponse response, int status, int code, String message)
      throws IOException {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", AgentText.excerpt(message));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("jsonrpc", "2.0");
    body.put("id", null);
    body.put("error", error);
    byte[] bytes = JSON.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /**
   * Records the session an {@code initialize} opens, the moment the transport sets its header;
   * holds back the body of an error the transport answers, to send a short one instead.
   */
  private final class ShortErrors extends HttpServletResponseWrapper {
    private final String principal;
    private final boolean records;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean failed;
    private boolean bodyStarted;
    private String sentMessage;

    ShortErrors(HttpServletResponse response, String principal, boolean records) {
      super(response);
      this.principal = principal;
      this.records = records;
    }

    @Override
    public void setHeader(String name, String value) {
      record(name, value);
      if (!isConnection(name)) {
        super.setHeader(name, value);
      }
    }

    @Override
    public void addHeader(String name, String value) {
      record(name, value);
      if (!isConnection(name)) {
        super.addHeader(name, value);
      }
    }

    /**
     * The SDK sets {@code Connection: keep-alive} on its event streams; when the container then
     * closes the connection it adds {@code Connection: close} after it, and the JDK HttpClient,
     * which reads the first value only, pools a connection the server is closing: the client's
     * next request fails with "header parser received no bytes". Connection is the container's.
     */
    private boolean isConnection(String name) {
      return "Connection".equalsIgnoreCase(name);
    }

    private void record(String name, String value) {
      if (records && value != null && HttpHeaders.MCP_SESSION_ID.equalsIgnoreCase(name)) {
        owners.opened(value, principal);
      }
    }

    @Override
    public void setStatus(int status) {
      failed = status >= 400 && !bodyStarted;
      super.setStatus(status);
    }

    @Override
    public void sendError(int status) {
      sendError(status, null);
    }

    @Override
    public void sendError(int status, String message) {
      if (bodyStarted || isCommitted()) {
        throw new IllegalStateException("the response is already committed");
      }
      failed = true;
      sentMessage = message;
      super.setStatus(status); // not the container's HTML error page: finish() writes the body
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (!failed) {
        bodyStarted = true;
        return super.getOutputStream();
      }
      return new HeldStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (!failed) {
        bodyStarted = true;
        return super.getWriter();
      }
      return new PrintWriter(new OutputStreamWriter(new HeldStream(), StandardCharsets.UTF_8), true);
    }

    @Override
    public void flushBuffer() throws IOException {
      if (!failed) {
        super.flushBuffer();
      }
    }

    void finish() throws IOException {
      if (!failed || isCommitted()) {
        return;
      }
      int status = getStatus();
      int code = status == HttpServletResponse.SC_NOT_FOUND ? SESSION_NOT_FOUND
          : status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
      String message = sentMessage != null ? sentMessage : "HTTP " + status;
      JsonNode error = errorOf(held.toByteArray());
      if (error != null && error.path("message").isTextual()) {
        message = error.path("message").asText();
        if (error.path("code").canConvertToInt()) {
          code = error.path("code").asInt();
        }
      }
      if (status == HttpServletResponse.SC_NOT_FOUND) {
        message = "Session not found"; // the transport's message quotes the session id
      }
      resetBuffer();
      writeError((HttpServletResponse) getResponse(), status, code, message);
    }

    /** The JSON-RPC error in what the transport wrote: its own shape, or a serialised McpError. */
    private JsonNode errorOf(byte[] body) {
      if (body.length == 0) {
        return null;
      }
      try {
        JsonNode tree = JSON.readTree(body);
        if (tree.has("error")) {
          return tree.get("error");
        }
        return tree.has("jsonRpcError") ? tree.get("jsonRpcError") : null;
      } catch (IOException | RuntimeException e) {
        return null; // cut short at MAX_ERROR_BODY, or not JSON: keep the status's own message
      }
    }

    /** Keeps the first {@link #MAX_ERROR_BODY} bytes the transport writes for an error. */
    private final class HeldStream extends ServletOutputStream {
      @Override
      public void write(int b) {
        if (held.size() < MAX_ERROR_BODY) {
          held.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        int room = MAX_ERROR_BODY - held.size();
        if (room > 0) {
          held.write(b, off, Math.min(room, len));
        }
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setWriteListener(WriteListener listener) {
        throw new UnsupportedOperationException("an error body is written synchronously");
      }
    }
  }
}
