package io.toolgate.examples.mcpserver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the registry's meters in the Prometheus text format, for a Prometheus
 * scrape or {@code curl}. No bearer token is needed (the server listens on loopback only).
 */
final class MetricsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient PrometheusMeterRegistry registry;

  MetricsServlet(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("text/plain; version=0.0.4; charset=utf-8");
    response.getOutputStream().write(registry.scrape().getBytes(StandardCharsets.UTF_8));
  }
}
