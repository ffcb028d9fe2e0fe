package io.toolgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link ApprovalServiceContract} for a service a person can approve through (a callback, a
 * queue): an approved call passes, the service takes {@link ApprovalService#confirm confirm} and
 * {@link ApprovalService#release release} of what it approved without throwing, and it never
 * answers {@code Approved} with one approval id to two calls at once before the first is settled.
 */
public abstract class ApprovingServiceContract extends ApprovalServiceContract {

  /**
   * Makes {@code service} approve the call of {@code request} as a person would: a queue approves
   * the pending id in {@code asked}; a callback answers yes to its next question.
   */
  protected abstract void approve(ApprovalService service, ApprovalRequest request, ApprovalStatus asked);

  /** Asks until the answer is no longer pending, approving it first. */
  protected ApprovalStatus.Approved approved(ApprovalRequest request) {
    ApprovalStatus asked = service().check(request);
    approve(service(), request, asked);
    ApprovalStatus status = service().check(request);
    assertThat(status).as("after approval").isInstanceOf(ApprovalStatus.Approved.class);
    return (ApprovalStatus.Approved) status;
  }


  @Test
  void anApprovedCallPassesAndIsSettledQuietly() {
    ApprovalRequest request = charge(50);
    ApprovalStatus.Approved approved = approved(request);
    assertThatCode(() -> service().confirm(request, approved)).doesNotThrowAnyException();

    ApprovalRequest again = charge(60);
    ApprovalStatus.Approved second = approved(again);
    assertThatCode(() -> service().release(again, second)).doesNotThrowAnyException();
  }

  @Test
  void oneApprovalIsNeverClaimedByTwoCallsAtOnce() throws Exception {
    ApprovalRequest request = charge(80);
    ApprovalStatus asked = service().check(request);
    approve(service(), request, asked);
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<ApprovalStatus> answers = new ArrayList<>();
    try {
      List<Future<ApprovalStatus>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<ApprovalStatus> task = () -> {
          start.await();
          return service().check(request);
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
}
