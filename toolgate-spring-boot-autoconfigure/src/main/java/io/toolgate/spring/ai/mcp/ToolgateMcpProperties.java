package io.toolgate.spring.ai.mcp;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the guard in front of the Spring AI MCP server's tools ({@code toolgate.mcp.*}). */
@ConfigurationProperties(prefix = "toolgate.mcp")
public class ToolgateMcpProperties {
  /** Whether the tools of the Spring AI MCP server are guarded by the policy. */
  private boolean enabled = true;

  /**
   * Whether a refused call is answered with a JSON-RPC error instead of a tool result with
   * isError true (the default, which a model reads and can act on).
   */
  private boolean refusalsAsErrors = false;

  /** Whether tools/list shows each caller only the tools the policy lists for it. */
  private boolean filterToolsList = true;

  private final Cancellation cancellation = new Cancellation();

  private final SessionOwnership sessionOwnership = new SessionOwnership();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isRefusalsAsErrors() {
    return refusalsAsErrors;
  }

  public void setRefusalsAsErrors(boolean refusalsAsErrors) {
    this.refusalsAsErrors = refusalsAsErrors;
  }

  public boolean isFilterToolsList() {
    return filterToolsList;
  }

  public void setFilterToolsList(boolean filterToolsList) {
    this.filterToolsList = filterToolsList;
  }

  public Cancellation getCancellation() {
    return cancellation;
  }

  public SessionOwnership getSessionOwnership() {
    return sessionOwnership;
  }

  /** Who may use an MCP session ({@code toolgate.mcp.session-ownership.*}). */
  public static class SessionOwnership {
    /**
     * Whether an MCP session serves only the principal whose initialize opened it: a request
     * naming another principal's Mcp-Session-Id gets 403, an unknown one 404 (streamable HTTP,
     * WebMVC and WebFlux).
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** Cancellation of held calls by the client ({@code toolgate.mcp.cancellation.*}). */
  public static class Cancellation {
    /**
     * Whether a client's notifications/cancelled withdraws a tools/call held for an approval
     * (WebMVC streamable HTTP).
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
