package io.toolgate.approvals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Serves an {@link ApprovalInbox} from a JDK {@code com.sun.net.httpserver.HttpServer}: {@code
 * server.createContext(inbox.mountPath(), new ApprovalInboxHandler(inbox))}.
 */
public final class ApprovalInboxHandler implements HttpHandler {
  private final ApprovalInbox inbox;

  /** A handler for {@code inbox}; mount it at {@link ApprovalInbox#mountPath()}. */
  public ApprovalInboxHandler(ApprovalInbox inbox) {
    this.inbox = Objects.requireNonNull(inbox, "inbox");
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(ApprovalInbox.MAX_BODY + 1);
      }
      if (body.length > ApprovalInbox.MAX_BODY) {
        exchange.sendResponseHeaders(413, -1);
        return;
      }
      Map<String, String> headers = new HashMap<>();
      for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
        if (h.getKey() != null && !h.getValue().isEmpty()) {
          headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().get(0));
        }
      }
      String path = exchange.getRequestURI().getRawPath().substring(Math.min(
          inbox.mountPath().length(), exchange.getRequestURI().getRawPath().length()));
      InboxResponse response = inbox.handle(new InboxRequest(exchange.getRequestMethod(), path,
          exchange.getRequestURI().getRawQuery(), headers, body, null));
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(response.status(), head || response.body().length == 0 ? -1 : response.body().length);
      if (!head) {
        exchange.getResponseBody().write(response.body());
      }
    }
  }
}
