package io.toolgate.spring.autoconfigure.approvals;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code toolgate.approvals.inbox.*}: the approvals inbox in the browser and its JSON API. Off
 * unless {@code enabled=true}: the inbox answers approvals, so it never appears unasked.
 */
@ConfigurationProperties(prefix = "toolgate.approvals.inbox")
public class ApprovalInboxProperties {
  /**
   * Whether to serve the approvals inbox (needs io.toolgate:policy-approvals-web and a servlet web
   * application). Off by default: the inbox approves held calls, so it is served only when asked.
   */
  private boolean enabled;

  /** The path the inbox is served at, below the context path; its JSON API is under api/ there. */
  private String path = "/approvals/";

  /**
   * The authority a Spring Security user must hold to answer, such as ROLE_APPROVER or
   * SCOPE_approvals. Required with Spring Security unless token-file is set: without it no Spring
   * Security user is an approver, and the inbox fails startup when there is no token file either.
   */
  private String authority;

  /**
   * A file of approver tokens, lines of sha256:<hex> name (the gateway's format), for signing in
   * with a token: the approvers when the application has no Spring Security, beside it otherwise.
   */
  private Path tokenFile;

  /** Whether the inbox's session cookie is marked Secure (set it when the inbox is served over HTTPS). */
  private boolean secureCookie;

  /** How long an inbox browser session lasts. */
  private Duration sessionTtl = Duration.ofHours(8);

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getAuthority() {
    return authority;
  }

  public void setAuthority(String authority) {
    this.authority = authority;
  }

  public Path getTokenFile() {
    return tokenFile;
  }

  public void setTokenFile(Path tokenFile) {
    this.tokenFile = tokenFile;
  }

  public boolean isSecureCookie() {
    return secureCookie;
  }

  public void setSecureCookie(boolean secureCookie) {
    this.secureCookie = secureCookie;
  }

  public Duration getSessionTtl() {
    return sessionTtl;
  }

  public void setSessionTtl(Duration sessionTtl) {
    this.sessionTtl = sessionTtl;
  }
}
