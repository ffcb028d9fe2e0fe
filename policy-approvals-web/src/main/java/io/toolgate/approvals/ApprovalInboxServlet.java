package io.toolgate.approvals;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Serves an {@link ApprovalInbox} from a Jakarta Servlet container: map it to {@code
 * <mountPath>/*}. The container's authenticated user ({@code getUserPrincipal()}, or whom the
 * host's own function names) signs in without a token; the Servlet API is the host's ({@code
 * provided}).
 */
public final class ApprovalInboxServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private final transient ApprovalInbox inbox;
  private final transient Function<HttpServletRequest, String> hostApprover;

  /** A servlet for {@code inbox}; the host's approver is the request's {@code getUserPrincipal()}. */
  public ApprovalInboxServlet(ApprovalInbox inbox) {
    this(inbox, req -> req.getUserPrincipal() == null ? null : req.getUserPrincipal().getName());
  }

  /**
   * A servlet for {@code inbox} whose host-authenticated approver is {@code hostApprover}'s answer
   * for each request: a name, or {@code null} for nobody the host vouches for (then only a token
   * signs in).
   */
  public ApprovalInboxServlet(ApprovalInbox inbox, Function<HttpServletRequest, String> hostApprover) {
    this.inbox = Objects.requireNonNull(inbox, "inbox");
    this.hostApprover = Objects.requireNonNull(hostApprover, "hostApprover");
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] body;
    try (InputStream in = req.getInputStream()) {
      body = in.readNBytes(ApprovalInbox.MAX_BODY + 1);
    }
    if (body.length > ApprovalInbox.MAX_BODY) {
      resp.setStatus(413);
      return;
    }
    Map<String, String> headers = new HashMap<>();
    for (String name : Collections.list(req.getHeaderNames())) {
      headers.put(name.toLowerCase(Locale.ROOT), req.getHeader(name));
    }
    String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
    String principal = hostApprover.apply(req);
    InboxResponse response = inbox.handle(
        new InboxRequest(req.getMethod(), path, req.getQueryString(), headers, body, principal));
    resp.setStatus(response.status());
    response.headers().forEach(resp::setHeader);
    if (!req.getMethod().equals("HEAD")) {
      resp.getOutputStream().write(response.body());
    }
  }
}
