package io.toolgate.testkit.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.engine.PolicyView.Limit;
import io.toolgate.testkit.PolicyTester;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ready-made properties hold for a correct policy and catch what they claim to catch. */
class PolicyPropertiesTest {
  private final PolicyProperties shop = PolicyProperties.of(PolicyTester.load("policies/shop.yaml")).withExamples(150);

  @Test
  void countersNeverOverAdmitOnTheShopPolicy() {
    shop.countersNeverOverAdmit();
  }

  @Test
  void theShopAllowsOnlyWhatItLists() {
    shop.onlyAllows("create_compile", "transfer", "create_live_algorithm", "read_session_log", "backtest_*", "read_*");
  }

  @Test
  void aClaimNarrowerThanThePolicyIsRefutedWithTheCall() {
    assertThatThrownBy(() -> shop.withSeed(3).onlyAllows("create_compile", "transfer", "create_live_algorithm", "read_session_log"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("a call outside [create_compile, transfer, create_live_algorithm, read_session_log] was allowed")
        .hasMessageContaining("decision: ALLOW by /grants/");
    assertThatThrownBy(() -> PolicyProperties.of(PolicyTester.parse("version: '1'\ndefault: allow")).onlyAllows("x"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("default: allow");
  }

  @Test
  void theShopIgnoresKeyOrder() {
    shop.decisionsIgnoreKeyOrder();
  }

  @Test
  void shufflingKeepsTheDocumentButChangesItsKeyOrder() {
    JsonNode doc = PolicyTester.load("policies/shop.yaml").document();
    List<String> orders = new ArrayList<>();
    for (int seed = 0; seed < 5; seed++) {
      JsonNode shuffled = PolicyProperties.shuffled(doc, new Random(seed));
      assertThat(shuffled).isEqualTo(doc);
      List<String> keys = new ArrayList<>();
      shuffled.get("tools").fieldNames().forEachRemaining(keys::add);
      orders.add(keys.toString());
    }
    assertThat(new java.util.HashSet<>(orders)).hasSizeGreaterThan(2);
  }

  @Test
  void overAdmissionIsFoundInFixedAndSlidingWindows() {
    Limit fixed = new Limit("/tools/t/limits/0", "c", 2_000_000, Duration.ofMinutes(1), "grant", Algorithm.FIXED, 1_000_000, null, false);
    long minute = 1_767_225_600_000L;
    List<Admissions.Admission> fine = List.of(
        new Admissions.Admission(fixed, "c [grant:a]", minute + 59_000, 1),
        new Admissions.Admission(fixed, "c [grant:a]", minute + 59_500, 1),
        new Admissions.Admission(fixed, "c [grant:a]", minute + 60_000, 1),
        new Admissions.Admission(fixed, "c [grant:b]", minute + 59_000, 2));
    assertThat(Admissions.overAdmission(fine)).isNull();
    List<Admissions.Admission> over = new ArrayList<>(fine);
    over.add(new Admissions.Admission(fixed, "c [grant:a]", minute + 1, 0.5));
    assertThat(Admissions.overAdmission(over)).contains("counter c [grant:a] admitted 2.5 in the fixed window");

    Limit sliding = new Limit("/tools/t/limits/0", "s", 2_000_000, Duration.ofMinutes(1), "global", Algorithm.SLIDING, 1_000_000, null, false);
    List<Admissions.Admission> spread = List.of(
        new Admissions.Admission(sliding, "s [global]", minute + 59_000, 1),
        new Admissions.Admission(sliding, "s [global]", minute + 60_000, 1),
        new Admissions.Admission(sliding, "s [global]", minute + 119_000, 1));
    assertThat(Admissions.overAdmission(spread)).isNull();
    List<Admissions.Admission> bunched = new ArrayList<>(spread);
    bunched.add(new Admissions.Admission(sliding, "s [global]", minute + 118_999, 1));
    assertThat(Admissions.overAdmission(bunched)).contains("admitted 3.0 in the sliding window");
  }

  @Test
  void theDefaultInterleavingsUseThePolicysNamesIdentitiesAndAnswers() {
    List<List<PolicyProperties.Step>> scripts = new ArrayList<>();
    org.quicktheories.QuickTheory.qt().withFixedSeed(5).withExamples(100)
        .forAll(PolicyProperties.steps(PolicyTester.load("policies/shop.yaml"))).checkAssert(scripts::add);
    List<PolicyProperties.Step> all = scripts.stream().flatMap(List::stream).toList();
    assertThat(all).anyMatch(s -> s instanceof PolicyProperties.Call c && c.call().tool().equals("backtest_x"))
        .anyMatch(s -> s instanceof PolicyProperties.Call c && c.toolFails())
        .anyMatch(s -> s instanceof PolicyProperties.Call c && c.context().principal().equals("ci-bot"))
        .anyMatch(s -> s instanceof PolicyProperties.Call c && c.call().arguments().has("amount"))
        .anyMatch(s -> s instanceof PolicyProperties.Advance)
        .anyMatch(s -> s instanceof PolicyProperties.Answer a && a.approve());
    PolicyTester counters = PolicyTester.load("policies/counters.yaml");
    java.util.Map<io.toolgate.api.Decision.Kind, Integer> kinds = new java.util.EnumMap<>(io.toolgate.api.Decision.Kind.class);
    int[] refunded = new int[1];
    org.quicktheories.QuickTheory.qt().withFixedSeed(5).withExamples(100).forAll(PolicyProperties.steps(counters)).checkAssert(script -> {
      PolicyTester run = counters.fresh();
      for (PolicyProperties.Step step : script) {
        io.toolgate.api.Decision d = PolicyProperties.apply(run, step);
        if (d != null) {
          kinds.merge(d.kind(), 1, Integer::sum);
          if (d.isAllowed() && ((PolicyProperties.Call) step).toolFails()) {
            refunded[0]++;
          }
        }
      }
    });
    assertThat(kinds.getOrDefault(io.toolgate.api.Decision.Kind.RATE_LIMITED, 0)).as("limits are reached").isGreaterThan(50);
    assertThat(kinds.getOrDefault(io.toolgate.api.Decision.Kind.ALLOW, 0)).isGreaterThan(100);
    assertThat(refunded[0]).as("allowed calls whose tool failed").isGreaterThan(20);
    assertThatThrownBy(() -> shop.withExamples(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
