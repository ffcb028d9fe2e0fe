package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ApprovalService} must have (DESIGN.md section 5 and the SPI's
 * Javadoc), as a JUnit 5 test base. Extend it, return a fresh service reading the given clock from
 * {@link #newService}, and say how a person answers with {@link #approve} and {@link #reject}.
 *
 * <p>What every service must do: answer every request with a status; once approved, let the call
 * through, and take {@link ApprovalService#confirm confirm} and {@link ApprovalService#release
 * release} of what it approved without throwing; once rejected, reject; and never answer {@code
 * Approved} with one approval id to two calls at once before the first is settled.
 *
 * <p>What only a service that holds requests by id does (the {@linkplain #holdsRequests() queue}
 * part, off by default, the tests then skipped): the same call, arguments compared canonically,
 * gets the same id while it is pending; an approval covers one identical call once (confirm uses it
 * up, release gives it back); a rejection covers the same call until it {@linkplain #expireAfter()
 * expires}; and a {@linkplain #maximumPendingPerPrincipal() per-principal cap} on pending requests
 * that leaves other principals alone.
 */
@Timeout(60)
public abstract class ApprovalServiceContract {
  /** When every test starts, on the clock the service reads. */
  protected static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private final MutableClock clock = new MutableClock();
  private ApprovalService service;

  /** A service to test, whose expiry (if any) reads {@code clock}; called before each test. */
  protected abstract ApprovalService newService(Clock clock);

  /**
   * Makes {@code service} approve the call of {@code request} as a person would: a queue approves
   * the pending id in {@code asked}; a callback answers yes to its next question. Returns false if
   * the service cannot approve anything (then the tests that need an approval are skipped).
   */
  protected abstract boolean approve(ApprovalService service, ApprovalRequest request, ApprovalStatus asked);

  /** Makes {@code service} reject the call of {@code request}, for {@code reason}, as a person would. */
  protected abstract void reject(ApprovalService service, ApprovalRequest request, ApprovalStatus asked, String reason);

  /**
   * Whether the service holds requests by id (pending, approved, rejected) between calls, as the
   * in-memory queue does; default false.
   */
  protected boolean holdsRequests() {
    return false;
  }

  /** How long a held request, approval or rejection lives; only when {@link #holdsRequests()}. */
  protected Duration expireAfter() {
    throw new UnsupportedOperationException("override expireAfter() when holdsRequests() is true");
  }

  /**
   * The most requests one principal may have pending, or 0 for no cap; only when {@link
   * #holdsRequests()}. Default 0.
   */
  protected int maximumPendingPerPrincipal() {
    return 0;
  }

  @BeforeEach
  void createService() {
    clock.now = T0;
    service = newService(clock);
  }

  /** The service under test. */
  protected ApprovalService service() {
    return service;
  }

  /** Moves the service's clock forward. */
  protected void advance(Duration duration) {
    clock.now = clock.now.plus(duration);
  }

  private ApprovalRequest request(String tool, String principal, Map<String, ?> args) {
    return new ApprovalRequest(ToolCall.of(tool, args), CallContext.of(principal), "/tools/" + tool,
        "needs a person", clock.now);
  }

  private ApprovalRequest charge(int amount) {
    return request("create_charge", "agent-1", Map.of("amount", amount, "currency", "usd"));
  }

  /** Asks until the answer is no longer pending, approving it first. */
  private ApprovalStatus.Approved approved(ApprovalRequest request) {
    ApprovalStatus asked = service.check(request);
    assumeTrue(approve(service, request, asked), "this service cannot approve");
    ApprovalStatus status = service.check(request);
    assertThat(status).as("after approval").isInstanceOf(ApprovalStatus.Approved.class);
    return (ApprovalStatus.Approved) status;
  }

  // ---- every service ---------------------------------------------------------------------------

  @Test
  void everyRequestGetsAStatus() {
    assertThat(service.check(charge(1))).isNotNull();
    assertThat(service.check(request("", "agent-1", Map.of()))).isNotNull();
    assertThat(service.check(new ApprovalRequest(ToolCall.of("t"), CallContext.anonymous(), "/tools/t", null, T0)))
        .isNotNull();
  }

  @Test
  void anApprovedCallPassesAndIsSettledQuietly() {
    ApprovalRequest request = charge(50);
    ApprovalStatus.Approved approved = approved(request);
    assertThatCode(() -> service.confirm(request, approved)).doesNotThrowAnyException();

    ApprovalRequest again = charge(60);
    ApprovalStatus.Approved second = approved(again);
    assertThatCode(() -> service.release(again, second)).doesNotThrowAnyException();
  }

  @Test
  void aRejectedCallIsRejected() {
    ApprovalRequest request = charge(70);
    ApprovalStatus asked = service.check(request);
    reject(service, request, asked, "too much");

    assertThat(service.check(request)).isInstanceOf(ApprovalStatus.Rejected.class);
  }

  @Test
  void oneApprovalIsNeverClaimedByTwoCallsAtOnce() throws Exception {
    ApprovalRequest request = charge(80);
    ApprovalStatus asked = service.check(request);
    assumeTrue(approve(service, request, asked), "this service cannot approve");
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<ApprovalStatus> answers = new ArrayList<>();
    try {
      List<Future<ApprovalStatus>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<ApprovalStatus> task = () -> {
          start.await();
          return service.check(request);
        };
        futures.add(pool.submit(task));
      }
      for (Future<ApprovalStatus> f : futures) {
        answers.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }

    Map<String, Integer> claimsById = new LinkedHashMap<>();
    for (ApprovalStatus answer : answers) {
      assertThat(answer).isNotNull();
      if (answer instanceof ApprovalStatus.Approved a && a.approvalId() != null) {
        claimsById.merge(a.approvalId(), 1, Integer::sum);
      }
    }
    assertThat(claimsById.values()).as("claims per approval id").allSatisfy(n -> assertThat(n).isOne());
  }

  // ---- services that hold requests -------------------------------------------------------------

  @Test
  void theSameCallGetsTheSameIdWhilePendingArgumentsComparedCanonically() {
    assumeTrue(holdsRequests(), "the service does not hold requests");
    Map<String, Object> ordered = new LinkedHashMap<>();
    ordered.put("amount", 7);
    ordered.put("currency", "usd");
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("currency", "usd");
    reordered.put("amount", 7.0);

    ApprovalStatus first = service.check(request("create_charge", "agent-1", ordered));
    ApprovalStatus second = service.check(request("create_charge", "agent-1", reordered));
    ApprovalStatus otherArgs = service.check(request("create_charge", "agent-1", Map.of("amount", 8, "currency", "usd")));
    ApprovalStatus otherPrincipal = service.check(request("create_charge", "agent-2", ordered));

    assertThat(first).isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(first)).isNotNull();
    assertThat(second).isEqualTo(new ApprovalStatus.Pending(idOf(first)));
    assertThat(otherArgs).isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(otherArgs)).isNotEqualTo(idOf(first));
    assertThat(idOf(otherPrincipal)).isNotEqualTo(idOf(first));
  }

  @Test
  void anApprovalCoversOneIdenticalCallOnce() {
    assumeTrue(holdsRequests(), "the service does not hold requests");
    ApprovalRequest request = charge(100);
    ApprovalStatus.Approved approved = approved(request);

    assertThat(service.check(request)).as("while the first call is decided")
        .isEqualTo(new ApprovalStatus.Pending(approved.approvalId()));
    service.confirm(request, approved);

    ApprovalStatus next = service.check(request);
    assertThat(next).as("used up: a new request").isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(next)).isNotEqualTo(approved.approvalId());
  }

  @Test
  void aReleasedApprovalCoversTheSameCallAgain() {
    assumeTrue(holdsRequests(), "the service does not hold requests");
    ApprovalRequest request = charge(110);
    ApprovalStatus.Approved approved = approved(request);

    service.release(request, approved);

    assertThat(service.check(request)).isInstanceOf(ApprovalStatus.Approved.class)
        .extracting(ApprovalServiceContract::idOf).isEqualTo(approved.approvalId());
  }

  @Test
  void aRejectionCoversTheSameCallUntilItExpires() {
    assumeTrue(holdsRequests(), "the service does not hold requests");
    ApprovalRequest request = charge(120);
    ApprovalStatus asked = service.check(request);
    reject(service, request, asked, "too much");

    ApprovalStatus once = service.check(request);
    ApprovalStatus twice = service.check(request);
    assertThat(once).isInstanceOf(ApprovalStatus.Rejected.class);
    assertThat(idOf(once)).isEqualTo(idOf(asked));
    assertThat(twice).isEqualTo(once);

    advance(expireAfter().minusMillis(1));
    assertThat(service.check(request)).isInstanceOf(ApprovalStatus.Rejected.class);
    advance(Duration.ofMillis(1));
    ApprovalStatus after = service.check(request);
    assertThat(after).as("expired: a new request").isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(idOf(after)).isNotEqualTo(idOf(asked));
  }

  @Test
  void onePrincipalCannotHoldMoreThanItsShareOfPendingRequests() {
    assumeTrue(holdsRequests() && maximumPendingPerPrincipal() > 0, "the service has no per-principal cap");
    int cap = maximumPendingPerPrincipal();
    for (int i = 0; i < cap; i++) {
      assertThat(service.check(request("t", "greedy", Map.of("i", i)))).isInstanceOf(ApprovalStatus.Pending.class);
    }

    ApprovalStatus over = service.check(request("t", "greedy", Map.of("i", cap)));
    assertThat(over).isInstanceOf(ApprovalStatus.Rejected.class);
    assertThat(idOf(over)).isNull();
    assertThat(service.check(request("t", "greedy", Map.of("i", 0)))).as("a held call is answered as usual")
        .isInstanceOf(ApprovalStatus.Pending.class);
    assertThat(service.check(request("t", "other", Map.of("i", 0)))).as("other principals are not affected")
        .isInstanceOf(ApprovalStatus.Pending.class);
  }

  /** The approval id of any status, or {@code null}. */
  protected static String idOf(ApprovalStatus status) {
    if (status instanceof ApprovalStatus.Approved a) {
      return a.approvalId();
    } else if (status instanceof ApprovalStatus.Pending p) {
      return p.approvalId();
    } else if (status instanceof ApprovalStatus.Rejected r) {
      return r.approvalId();
    }
    return null;
  }

  /** A clock the tests move by hand. */
  private static final class MutableClock extends Clock {
    private volatile Instant now = T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      Objects.requireNonNull(zone, "zone");
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
