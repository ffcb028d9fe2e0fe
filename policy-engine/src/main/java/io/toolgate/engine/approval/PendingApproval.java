package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import java.time.Instant;
import java.util.Objects;

/**
 * A request in an {@link InMemoryApprovalQueue} that no one has answered yet: what a UI lists
 * and what a person approves or rejects by {@link #id()}.
 *
 * @param id the approval id to pass to {@link InMemoryApprovalQueue#approve} or {@link
 *     InMemoryApprovalQueue#reject}
 * @param request the first call that asked (identical calls since then share this request)
 * @param requestedAt when the queue first saw the call, by the queue's clock
 * @param expiresAt when the request is forgotten if no one answers it
 */
public record PendingApproval(String id, ApprovalRequest request, Instant requestedAt, Instant expiresAt) {
  /** Checks that no part is {@code null}. */
  public PendingApproval {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
