package io.toolgate.approvals;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to the inbox, independent of the server that received it.
 *
 * @param method the HTTP method, upper case
 * @param path the path below the inbox's mount point, starting with {@code /} ({@code /} for the inbox itself)
 * @param query the raw query string, or {@code null}
 * @param headers request headers by lower-case name (first value)
 * @param body the request body (empty for none)
 * @param hostPrincipal the approver the host already authenticated (a servlet's user principal), or {@code null}
 */
public record InboxRequest(
    String method, String path, String query, Map<String, String> headers, byte[] body, String hostPrincipal) {
  public InboxRequest {
    Objects.requireNonNull(method, "method");
    path = path == null || path.isEmpty() ? "/" : path;
    headers = Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  /** The header {@code name} (any case), or {@code null}. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }
}
