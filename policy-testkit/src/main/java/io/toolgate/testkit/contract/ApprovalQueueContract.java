package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ApprovingServiceContract} for a service that holds requests by id between calls, as the
 * in-memory queue does: the same call, arguments compared canonically, gets the same id while it
 * is pending, and its approval carries that id; an approval covers one identical call once
 * (confirm uses it up, release gives it back); a rejection covers the same call until it
 * {@linkplain #expireAfter() expires}; and each principal's pending requests are {@linkplain
 * #maximumPendingPerPrincipal() capped}, leaving other principals alone; a call too large to hold
 * ({@linkplain #maximumRequestBytes() as JSON}) is rejected without an id.
 */
public abstract class ApprovalQueueContract extends ApprovingServiceContract {

  /** How long a held request, approval or rejection lives. */
  protected abstract Duration expireAfter();

  /** The most requests one principal may have pending at once (at least 1). */
  protected abstract int maximumPendingPerPrincipal();

  /**
   * The largest request, written as JSON, the service holds: the built-in queues' default of 256
   * KiB unless overridden.
   */
  protected int maximumRequestBytes() {
    return 256 * 1024;
  }

  @Test
  void aCallTooLargeToHoldIsRejectedWithoutAnIdAndNotHeld() {
    ApprovalRequest huge = request("upload", "agent-1", Map.of("blob", "x".repeat(maximumRequestBytes())));
    ApprovalStatus over = service().check(huge);
    assertThat(over).isInstanceOf(ApprovalStatus.Rejected.class);
    assertThat(idOf(over)).isNull();
    assertThat(((ApprovalStatus.Rejected) over).reason()).contains("too large to hold for approval");
    assertThat(service().check(huge)).as("nothing was held: asked again, refused again").isEqualTo(over);
    assertThat(service().check(request("upload", "agent-1", Map.of("blob", "x")))).as("a small call is held")
        .isInstanceOf(ApprovalStatus.Pending.class);
  }

  @Test
  void theSameCallGetsTheSameIdWhilePendingArgumentsComparedCanonically() {
    Map<String, Object> ordered = new LinkedHashMap<>();
    ordered.put("amount", 7);
    ordered.put("currency", "usd");
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("currency", "usd");
    reordered.put("amount", 7.0);

    ApprovalStatus first = service().check(request("create_charge", "agent-1", ordered));
    ApprovalStatus second = service().check(request("create_charge", "agent-1", reordered));
    ApprovalStatus otherArgs = service().check(request("create_charge", "agent-1", Map.of("amount", 8, "currency", "usd")));
    ApprovalStatus otherPrincipal = service().check(request("create_charge", "agent-2", ordered));

    assertThat(first).isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(first)).isNotNull();
    assertThat(second).isEqualTo(new ApprovalStatus.Pending(idOf(first)));
    assertThat(otherArgs).isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(otherArgs)).isNotEqualTo(idOf(first));
    assertThat(idOf(otherPrincipal)).isNotEqualTo(idOf(first));
  }

  @Test
  void anApprovalCoversOneIdenticalCallOnce() {
    ApprovalRequest request = charge(100);
    ApprovalStatus.Approved approved = approved(request);

    assertThat(service().check(request)).as("while the first call is decided")
        .isEqualTo(new ApprovalStatus.Pending(approved.approvalId()));
    service().confirm(request, approved);

    ApprovalStatus next = service().check(request);
    assertThat(next).as("used up: a new request").isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(next)).isNotEqualTo(approved.approvalId());
  }

  /** The engine names this id on the call it admits, linking its audit line to the held call's. */
  @Test
  void anApprovalCarriesTheIdItsPendingRequestHad() {
    ApprovalRequest request = charge(105);
    ApprovalStatus asked = service().check(request);
    assertThat(asked).isInstanceOf(ApprovalStatus.Pending.class);
    approve(service(), request, asked);

    assertThat(service().check(request)).isInstanceOf(ApprovalStatus.Approved.class)
        .extracting(ApprovalServiceContract::idOf).isEqualTo(idOf(asked));
  }

  @Test
  void aReleasedApprovalCoversTheSameCallAgain() {
    ApprovalRequest request = charge(110);
    ApprovalStatus.Approved approved = approved(request);

    service().release(request, approved);

    assertThat(service().check(request)).isInstanceOf(ApprovalStatus.Approved.class)
        .extracting(ApprovalServiceContract::idOf).isEqualTo(approved.approvalId());
  }

  @Test
  void aRejectionCoversTheSameCallUntilItExpires() {
    ApprovalRequest request = charge(120);
    ApprovalStatus asked = service().check(request);
    reject(service(), request, asked, "too much");

    ApprovalStatus once = service().check(request);
    ApprovalStatus twice = service().check(request);
    assertThat(once).isInstanceOf(ApprovalStatus.Rejected.class);
    assertThat(idOf(once)).isEqualTo(idOf(asked));
    assertThat(twice).isEqualTo(once);

    advance(expireAfter().minusMillis(1));
    assertThat(service().check(request)).isInstanceOf(ApprovalStatus.Rejected.class);
    advance(Duration.ofMillis(1));
    ApprovalStatus after = service().check(request);
    assertThat(after).as("expired: a new request").isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(after)).isNotEqualTo(idOf(asked));
  }

  @Test
  void onePrincipalCannotHoldMoreThanItsShareOfPendingRequests() {
    int cap = maximumPendingPerPrincipal();
    for (int i = 0; i < cap; i++) {
      assertThat(service().check(request("t", "greedy", Map.of("i", i)))).isInstanceOf(ApprovalStatus.Pending.class);
    }

    ApprovalStatus over = service().check(request("t", "greedy", Map.of("i", cap)));
    assertThat(over).isInstanceOf(ApprovalStatus.Rejected.class);
    assertThat(idOf(over)).isNull();
    assertThat(service().check(request("t", "greedy", Map.of("i", 0)))).as("a held call is answered as usual")
        .isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(service().check(request("t", "other", Map.of("i", 0)))).as("other principals are not affected")
        .isInstanceOf(ApprovalStatus.Pending.class);
  }
}
