package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import java.time.Clock;

/** PLACEHOLDER: being written. */
public final class InMemoryApprovalQueue implements ApprovalService {
  public static Builder builder(Clock clock) {
    return new Builder();
  }

  public boolean approve(String id, String approver) {
    throw new IllegalStateException("placeholder");
  }

  public boolean reject(String id, String approver, String reason) {
    throw new IllegalStateException("placeholder");
  }

  @Override
  public ApprovalStatus check(ApprovalRequest request) {
    throw new IllegalStateException("placeholder");
  }

  public static final class Builder {
    public InMemoryApprovalQueue build() {
      return new InMemoryApprovalQueue();
    }
  }
}
