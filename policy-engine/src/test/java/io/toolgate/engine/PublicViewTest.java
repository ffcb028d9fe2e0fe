package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CounterRequest.Algorithm;
import io.toolgate.engine.PolicyView.Action;
import io.toolgate.engine.PolicyView.Clause;
import io.toolgate.engine.PolicyView.Entry;
import io.toolgate.engine.PolicyView.Limit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The engine's public read-only API: Policy.view() and document(), Windows, ToolGlob, PolicyDocuments, ArgumentsSchema. */
class PublicViewTest {
  private static final String POLICY = """
      version: '1'
      description: shop
      hide: [secret, 'admin_*']
      tools:
        pay:
          action: require_approval
          reason: money
          when: [{path: args.amount, op: gt, value: 100}]
          limits:
            - {counter: spend, max: 10.5, window: 2h, scope: args.user.id, algorithm: sliding, cost_from: args.amount}
        search:
          rate_limit: 5/minute
          arguments: {type: object, properties: {q: {type: string, maxLength: 3}}}
          conditions: [{path: identity.id, op: neq, value: mallory}]
      grants:
        ci-bot:
          tools:
            'deploy_*': {action: deny}
      """;

  @Test
  void theViewShowsEntriesGrantsLimitsAndHideInDocumentOrder() {
    PolicyView view = Policy.parse(POLICY).view();
    assertThat(view.defaultAllow()).isFalse();
    assertThat(view.description()).isEqualTo("shop");
    assertThat(view.hide()).extracting(PolicyView.Hide::pattern, PolicyView.Hide::pointer)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("secret", "/hide/0"), org.assertj.core.groups.Tuple.tuple("admin_*", "/hide/1"));
    Entry pay = view.tools().get(0);
    assertThat(pay.key()).isEqualTo("pay");
    assertThat(pay.pointer()).isEqualTo("/tools/pay");
    assertThat(pay.action()).isEqualTo(Action.REQUIRE_APPROVAL);
    assertThat(pay.reason()).isEqualTo("money");
    assertThat(pay.when()).containsExactly(new Clause("/tools/pay/when/0", "args.amount", "gt"));
    assertThat(pay.limits()).containsExactly(new Limit("/tools/pay/limits/0", "spend", 10_500_000, Duration.ofHours(2),
        "args.user.id", Algorithm.SLIDING, 1_000_000, "args.amount", false));
    Entry search = view.tools().get(1);
    assertThat(search.limits()).singleElement().satisfies(l -> {
      assertThat(l.pointer()).isEqualTo("/tools/search/rate_limit");
      assertThat(l.maxMillionths()).isEqualTo(5_000_000);
      assertThat(l.window()).isEqualTo(Duration.ofMinutes(1));
      assertThat(l.scope()).isEqualTo("grant");
      assertThat(l.algorithm()).isEqualTo(Algorithm.FIXED);
    });
    assertThat(search.arguments().pointer()).isEqualTo("/tools/search/arguments");
    assertThat(search.arguments().schema().path("properties").path("q").path("maxLength").asInt()).isEqualTo(3);
    assertThat(search.conditions()).extracting(Clause::pointer).containsExactly("/tools/search/conditions/0");
    assertThat(view.grants()).singleElement().satisfies(g -> {
      assertThat(g.key()).isEqualTo("ci-bot");
      assertThat(g.pointer()).isEqualTo("/grants/ci-bot");
      assertThat(g.tools()).extracting(Entry::pointer, Entry::action)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("/grants/ci-bot/tools/deploy_*", Action.DENY));
    });
    assertThat(view.entries()).extracting(Entry::key).containsExactly("pay", "search", "deploy_*");
  }

  @Test
  void theViewAndTheDocumentCannotBeChangedFromOutside() {
    Policy policy = Policy.parse(POLICY);
    ((ObjectNode) policy.view().tools().get(1).arguments().schema()).removeAll();
    assertThat(policy.view().tools().get(1).arguments().schema().has("properties")).isTrue();
    ((ObjectNode) policy.document()).removeAll();
    assertThat(policy.document().path("tools").has("pay")).isTrue();
    assertThatThrownBy(() -> policy.view().tools().add(null)).isInstanceOf(UnsupportedOperationException.class);

    ObjectNode tree = (ObjectNode) Policy.parse(POLICY).document();
    Policy fromTree = Policy.fromTree(tree, "tree.yaml");
    tree.removeAll();
    assertThat(fromTree.document().path("tools").has("search")).isTrue();
    assertThat(fromTree.source()).isEqualTo("tree.yaml");
  }

  @Test
  void aTreeIsNamedInItsProblems() {
    ObjectNode tree = PolicyDocuments.jsonMapper().createObjectNode();
    tree.put("default", "deny");
    assertThatThrownBy(() -> Policy.fromTree(tree, "tree.yaml"))
        .isInstanceOf(PolicyLoadException.class).hasMessageContaining("tree.yaml");
  }

  @Test
  void windowsParseThePolicySyntax() {
    assertThat(Windows.parse("minute")).contains(Duration.ofMinutes(1));
    assertThat(Windows.parse("90s")).contains(Duration.ofSeconds(90));
    assertThat(Windows.parse(PolicyDocuments.jsonMapper().getNodeFactory().numberNode(60))).contains(Duration.ofMinutes(1));
    assertThat(Windows.parse("0s")).isEmpty();
    assertThat(Windows.parse("soon")).isEmpty();
  }

  @Test
  void toolGlobsMatchAsPoliciesDo() {
    assertThat(ToolGlob.isGlob("deploy_*")).isTrue();
    assertThat(ToolGlob.isGlob("deploy")).isFalse();
    ToolGlob glob = ToolGlob.compile("deploy_[a-c]?");
    assertThat(glob.matches("deploy_bx")).isTrue();
    assertThat(glob.matches("deploy_dx")).isFalse();
    assertThatThrownBy(() -> ToolGlob.compile("a[")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void documentsAreReadWithTheEnginesLimits() throws Exception {
    assertThat(PolicyDocuments.readTree("{\"a\": 1}").path("a").asInt()).isEqualTo(1);
    assertThat(PolicyDocuments.readTree("a: 1\n").path("a").asInt()).isEqualTo(1);
    assertThatThrownBy(() -> PolicyDocuments.readTree("{\"a\": 1, \"a\": 2}"))
        .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
    assertThatThrownBy(() -> PolicyDocuments.readTree("[".repeat(100) + "]".repeat(100)))
        .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
  }

  @Test
  void argumentsSchemasValidateAsTheEngineDoes() throws Exception {
    JsonNode schema = PolicyDocuments.readTree("{\"type\": \"object\", \"properties\": {\"q\": {\"type\": \"string\", \"maxLength\": 3}}}");
    ArgumentsSchema arguments = ArgumentsSchema.of(schema);
    assertThat(arguments.violations(PolicyDocuments.readTree("{\"q\": \"abc\"}"))).isEmpty();
    assertThat(arguments.violations(PolicyDocuments.readTree("{\"q\": \"abcd\"}")))
        .containsExactly(new ArgumentsSchema.Violation("/q", "maxLength"));
    assertThatThrownBy(() -> ArgumentsSchema.of(PolicyDocuments.readTree("{\"type\": \"strung\"}")))
        .isInstanceOf(PolicyLoadException.class);
  }
}
