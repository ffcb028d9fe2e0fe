package io.toolgate.approvals;

import java.util.Optional;

/**
 * Who may answer approval requests: turns a presented bearer token into an approver's name. Hosts
 * with their own authentication pass the authenticated name in {@link InboxRequest#hostPrincipal()}
 * instead; {@link ApproverTokens} reads a token file.
 */
@FunctionalInterface
public interface Approvers {
  /** The approver {@code token} belongs to, or empty if it belongs to nobody. */
  Optional<String> byToken(String token);

  /** Nobody: only the host's authentication lets people in. */
  static Approvers none() {
    return token -> Optional.empty();
  }
}
