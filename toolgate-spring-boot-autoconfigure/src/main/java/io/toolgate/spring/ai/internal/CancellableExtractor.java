package io.toolgate.spring.ai.internal;

import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.toolgate.mcp.McpCancellation;
import java.util.Objects;
import org.springframework.web.servlet.function.ServerRequest;

/**
 * A WebMVC transport's context extractor whose context also carries the cancellation slot {@link
 * McpCancellation}'s filter gave the request's {@code tools/call}: the filter sees the servlet
 * request, the WebMVC transport a {@link ServerRequest} wrapping it.
 */
public final class CancellableExtractor {
  private CancellableExtractor() {}

  /** {@code extractor}, wrapped by {@code cancellation}; {@code extractor} itself when it is {@code null}. */
  public static McpTransportContextExtractor<ServerRequest> of(
      McpTransportContextExtractor<ServerRequest> extractor, McpCancellation cancellation) {
    Objects.requireNonNull(extractor, "extractor");
    if (cancellation == null) {
      return extractor;
    }
    return request -> cancellation.extractor(servlet -> extractor.extract(request)).extract(request.servletRequest());
  }
}
