package io.toolgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.toolgate.api.CounterRequest.Algorithm;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The API's values: immutable, validated where they are made. */
class ValuesTest {
  @Test
  void toolCallsKeepNamesExactlyAndConvertMapsOnceOnDemand() {
    Map<String, Object> args = new HashMap<>(Map.of("projectId", 7));
    ToolCall call = ToolCall.of(" Create_Compile ", args);
    assertThat(call.tool()).isEqualTo(" Create_Compile ");
    assertThat(call.arguments()).isSameAs(call.arguments());
    assertThat(call.arguments().get("projectId").intValue()).isEqualTo(7);
    assertThat(ToolCall.of("t").arguments().isObject()).isTrue();
    assertThat(ToolCall.of("t", (Map<String, ?>) null).arguments().size()).isZero();
    assertThat(ToolCall.of("t", JsonNodeFactory.instance.nullNode()).arguments().isObject()).isTrue();
    Map<String, Object> cyclic = new HashMap<>();
    cyclic.put("self", cyclic);
    assertThatThrownBy(() -> ToolCall.of("t", cyclic).arguments()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ToolCall.of(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void callContextsCopyWhatTheyAreGiven() {
    Set<String> roles = new HashSet<>(Set.of("dev"));
    CallContext context = new CallContext("p", roles, Map.of("tier", "gold"), "s1");
    roles.add("admin");
    assertThat(context.roles()).containsExactly("dev");
    assertThat(context.withSession("s2").sessionId()).isEqualTo("s2");
    assertThat(context.withRoles("a", "b").roles()).containsExactlyInAnyOrder("a", "b");
    assertThat(context.withAttributes(Map.of("k", 1)).attributes()).containsEntry("k", 1);
    assertThat(CallContext.of("p").principal()).isEqualTo("p");
    assertThat(CallContext.anonymous().principal()).isNull();
  }

  @Test
  void counterRequestsAreValidated() {
    CounterRequest ok = new CounterRequest("c", "global", null, 1000, Algorithm.FIXED, 10_000_000, 10_000_000);
    assertThat(ok.sameCounter(new CounterRequest("c", "global", null, 1000, Algorithm.FIXED, 5_000_000, 1_000_000))).isTrue();
    assertThat(ok.sameCounter(new CounterRequest("c", "global", null, 1000, Algorithm.SLIDING, 10_000_000, 1_000_000))).isFalse();
    assertThatThrownBy(() -> new CounterRequest("c", "g", null, 0, Algorithm.FIXED, 1_000_000, 1_000_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CounterRequest("c", "g", null, 1, Algorithm.FIXED, -1_000_000, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CounterRequest("c", "g", null, 1, Algorithm.FIXED, CounterRequest.MAX_MILLIONTHS + 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CounterRequest("c", "g", null, 1, Algorithm.FIXED, 1_000_000, 2_000_000)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reserveResults() {
    assertThat(ReserveResult.granted().isGranted()).isTrue();
    ReserveResult rejected = ReserveResult.rejected(1, 42_000);
    assertThat(rejected.isGranted()).isFalse();
    assertThat(rejected.rejectedIndex()).isEqualTo(1);
    assertThat(rejected.retryAfterMillis()).isEqualTo(42_000);
    assertThatThrownBy(() -> ReserveResult.rejected(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReserveResult.rejected(0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyRefusalsAreViolations() {
    Decision deny = new Decision.Deny("t", "p", List.of("/tools/t"), "/tools/t", "Policy denied t: no.");
    assertThat(new PolicyViolationException(deny)).hasMessage("Policy denied t: no.").satisfies(e -> assertThat(e.decision()).isSameAs(deny));
    Decision allow = new Decision.Allow("t", "p", List.of(), "/default", "ok", null);
    assertThat(((Decision.Allow) allow).reservation()).isSameAs(Reservation.NONE);
    assertThatThrownBy(() -> new PolicyViolationException(allow)).isInstanceOf(IllegalArgumentException.class);
    assertThat(allow.isAllowed()).isTrue();
    assertThat(deny.isAllowed()).isFalse();
  }

  @Test
  void anAllowNamesTheApprovalItUsedAndTheSixArgumentFormUsedNone() {
    Decision.Allow plain = new Decision.Allow("t", "p", List.of(), "/tools/t", "ok", null);
    Decision.Allow approved = new Decision.Allow("t", "p", List.of(), "/tools/t", "ok", null, "a-1");
    assertThat(plain.approvalId()).isNull();
    assertThat(plain).isEqualTo(new Decision.Allow("t", "p", List.of(), "/tools/t", "ok", null, null));
    assertThat(approved.approvalId()).isEqualTo("a-1");
    assertThat(approved).isNotEqualTo(plain);
  }
}
