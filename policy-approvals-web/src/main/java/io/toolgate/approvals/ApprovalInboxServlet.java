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

/**
 * Serves an {@link ApprovalInbox} from a Jakarta Servlet container: map it to {@code
 * <mountPath>/*}. The container's authenticated user ({@code getUserPrincipal()}) signs in without
 * a token; the Servlet API is the host's ({@code provided}).
 */
public final class ApprovalInboxServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private final transient ApprovalInbox inbox;

  /** A servlet for {@code inbox}. */
  public ApprovalInboxServlet(ApprovalInbox inbox) {
    this.inbox = Objects.requireNonNull(inbox, "inbox");
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
    String principal = req.getUserPrincipal() == null ? null : req.getUserPrincipal().getName();
    InboxResponse response = inbox.handle(
        new InboxRequest(req.getMethod(), path, req.getQueryString(), headers, body, principal));
    resp.setStatus(response.status());
    response.headers().forEach(resp::setHeader);
    if (!req.getMethod().equals("HEAD")) {
      resp.getOutputStream().write(response.body());
    }
  }
}
