package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ApprovalService} must have (DESIGN.md section 5 and the SPI's
 * Javadoc), as a JUnit 5 test base: answer every request with a status, and once a person has
 * rejected a call, reject it. Extend it with a fresh service reading the given clock ({@link
 * #newService}) and say how a person rejects ({@link #reject}).
 *
 * <p>A service a person can approve through extends {@link ApprovingServiceContract} instead; one
 * that holds requests by id, as the in-memory queue does, extends {@link ApprovalQueueContract}.
 * Each level adds tests and nothing is skipped: a service is tested for exactly what it promises.
 */
@Timeout(60)
public abstract class ApprovalServiceContract {
  /** When every test starts, on the clock the service reads. */
  protected static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private final MutableClock clock = new MutableClock();
  private ApprovalService service;

  /** A service to test, whose expiry (if any) reads {@code clock}; called before each test. */
  protected abstract ApprovalService newService(Clock clock);

  /** Makes {@code service} reject the call of {@code request}, for {@code reason}, as a person would. */
  protected abstract void reject(ApprovalService service, ApprovalRequest request, ApprovalStatus asked, String reason);

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

  /** A request for {@code tool} by {@code principal} with {@code args}, asked now. */
  protected ApprovalRequest request(String tool, String principal, Map<String, ?> args) {
    return new ApprovalRequest(ToolCall.of(tool, args), CallContext.of(principal), "/tools/" + tool,
        "needs a person", clock.now);
  }

  /** A charge of {@code amount} by agent-1. */
  protected ApprovalRequest charge(int amount) {
    return request("create_charge", "agent-1", Map.of("amount", amount, "currency", "usd"));
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
  void aRejectedCallIsRejected() {
    ApprovalRequest request = charge(70);
    ApprovalStatus asked = service.check(request);
    reject(service, request, asked, "too much");

    assertThat(service.check(request)).isInstanceOf(ApprovalStatus.Rejected.class);
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
