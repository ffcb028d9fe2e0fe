package io.toolgate.approvals;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The inbox's answer to an {@link InboxRequest}, for the adapter to write.
 *
 * @param status the HTTP status
 * @param headers response headers, {@code Content-Type} included
 * @param body the body
 */
public record InboxResponse(int status, Map<String, String> headers, byte[] body) {
  static InboxResponse of(int status, String contentType, String body, Map<String, String> extra) {
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>(extra);
    headers.put("Content-Type", contentType);
    headers.put("Cache-Control", "no-store");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Referrer-Policy", "no-referrer");
    if (contentType.startsWith("text/html")) {
      headers.put("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'");
      headers.put("X-Frame-Options", "DENY");
    }
    return new InboxResponse(status, Map.copyOf(headers), body.getBytes(StandardCharsets.UTF_8));
  }
}
