package io.toolgate.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionFieldsTest {
  private static List<String> details(Decision decision) {
    List<String> out = new ArrayList<>();
    DecisionFields.details(decision, (field, value) -> out.add(field.key() + "=" + value));
    return out;
  }

  @Test
  void eachKindGivesItsOwnFieldsInOrder() {
    Decision.RateLimited limited = new Decision.RateLimited("t", "p", List.of(), "/tools/t/limits/0", "r", "c",
        10, Duration.ofMinutes(1), "grant", Duration.ofMillis(1_500));
    Decision.RateLimited unknown = new Decision.RateLimited("t", "p", List.of(), "/tools/t/limits/0", "r", "c",
        10, Duration.ofMinutes(1), "grant", null);

    assertThat(details(limited)).containsExactly("retry_after_ms=1500", "counter=c");
    assertThat(details(unknown)).containsExactly("retry_after_ms=null", "counter=c");
    assertThat(details(new Decision.ApprovalRequired("t", "p", List.of(), "/tools/t", "r", "id")))
        .containsExactly("approval_id=id");
    assertThat(details(new Decision.Deny("t", "p", List.of(), Decision.Rules.DEFAULT, "r"))).isEmpty();
    assertThat(details(new Decision.Allow("t", "p", List.of(), Decision.Rules.DEFAULT, "r", null))).isEmpty();
    assertThat(DecisionFields.kind(limited)).isEqualTo("rate_limited");
  }

  @Test
  void anAllowAdmittedOnAnApprovalNamesItUnderTheHeldCallsName() {
    assertThat(details(new Decision.Allow("t", "p", List.of(), "/tools/t", "r", null, "id")))
        .containsExactly("approval_id=id");
    assertThat(details(new Decision.Allow("t", "p", List.of(), "/tools/t", "r", null, null))).isEmpty();
  }

  @Test
  void retryAfterSecondsRoundUpAndMillisRoundDown() {
    assertThat(DecisionFields.retryAfterSeconds(Duration.ofMillis(29_001))).isEqualTo(30L);
    assertThat(DecisionFields.retryAfterSeconds(Duration.ofSeconds(30))).isEqualTo(30L);
    assertThat(DecisionFields.retryAfterSeconds(Duration.ZERO)).isZero();
    assertThat(DecisionFields.retryAfterSeconds(null)).isNull();
    assertThat(DecisionFields.retryAfterMillis(Duration.ofNanos(1_999_999))).isEqualTo(1L);
  }

  @Test
  void auditAndMetaNamesDifferOnlyWhereDocumented() {
    for (DecisionFields.Field field : DecisionFields.Field.values()) {
      switch (field) {
        case DECISION -> assertThat(field.metaKey()).isEqualTo("kind");
        case RETRY_AFTER_MS -> assertThat(field.metaKey()).isEqualTo("retryAfterMillis");
        case APPROVAL_ID -> assertThat(field.metaKey()).isEqualTo("approvalId");
        default -> assertThat(field.metaKey()).isEqualTo(field.key());
      }
    }
  }
}
