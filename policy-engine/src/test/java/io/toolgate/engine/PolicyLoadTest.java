package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DESIGN.md sections 2 and 6: what loads, and every problem of what does not, located. */
class PolicyLoadTest {

  private static List<PolicyProblem> problems(String text) {
    return Policy.check(text, "p.yaml");
  }

  private static PolicyProblem only(String text) {
    List<PolicyProblem> found = problems(text);
    assertThat(found).as("problems of:\n%s", text).hasSize(1);
    return found.get(0);
  }

  private static List<String> pointers(String text) {
    return problems(text).stream().map(PolicyProblem::pointer).collect(Collectors.toList());
  }

  @Test
  void theSeedPolicyLoadsVerbatim() {
    String seed = "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\"create_compile\":{\"limits\":[\n"
        + " {\"counter\":\"create_compile_rate\",\"window\":\"minute\",\"max\":10,\"scope\":\"grant\"}]}}}";
    assertThat(problems(seed)).isEmpty();
    assertThat(Policy.parse(seed)).isNotNull();
  }

  @Test
  void everyDocumentedKeyLoads() {
    String full = String.join("\n",
        "version: '1'",
        "default: allow",
        "description: all of it",
        "hide: [delete_repository, 'admin_*']",
        "tools:",
        "  create_compile:",
        "    action: allow",
        "    reason: why",
        "    description: compiles",
        "    arguments: {type: object, required: [projectId], properties: {projectId: {type: integer, minimum: 1}, name: {type: string, pattern: '^[a-z]+$'}}}",
        "    conditions:",
        "      - {path: args.projectId, op: in, value: [1, 2, 3], reason: known projects}",
        "      - {path: identity.attributes.tier, op: eq, value: gold}",
        "      - {path: identity.roles, op: contains, value: dev}",
        "      - {path: session.id, op: exists, value: true}",
        "      - {path: args.name, op: regex, value: '^[a-z]+$'}",
        "    limits:",
        "      - {counter: c1, max: 10, window: minute, scope: grant, algorithm: fixed, cost: 1, refund_on_error: true}",
        "      - {max: 2.5, window: 30s, scope: args.projectId, algorithm: sliding, cost_from: args.cost}",
        "      - {max: 1, window: 60, scope: session}",
        "      - {max: 0, window: 1d, scope: global}",
        "    rate_limit: {max: 10, window: 60}",
        "  pay:",
        "    action: require_approval",
        "    when: [{path: args.amount, op: gt, value: 10000}]",
        "    rate_limit: 10/minute",
        "  nuke: {action: deny, reason: never, when: [{path: args.force, op: eq, value: true}]}",
        "  bare:",
        "grants:",
        "  ci-bot:",
        "    description: the CI",
        "    tools:",
        "      'backtest_*': {action: allow, limits: [{max: 100, window: hour}]}",
        "");
    assertThat(problems(full)).isEmpty();
  }

  @Test
  void rateLimitShorthandInBothForms() {
    assertThat(problems("version: '1'\ntools:\n  a: {rate_limit: 10/minute}\n  b: {rate_limit: 5/30s}\n  c: {rate_limit: '2.5/60'}\n"))
        .isEmpty();
    assertThat(problems("version: '1'\ntools:\n  a: {rate_limit: {max: 10, window: 60}}\n")).isEmpty();
    PolicyProblem bad = only("version: '1'\ntools:\n  a: {rate_limit: ten a minute}\n");
    assertThat(bad.pointer()).isEqualTo("/tools/a/rate_limit");
    assertThat(bad.message()).contains("10/minute");
    assertThat(pointers("version: '1'\ntools:\n  a: {rate_limit: {max: 10}}\n")).containsExactly("/tools/a/rate_limit");
  }

  @Test
  void aBadWindowIsReportedAtTheWindowWithLineAndColumn() {
    PolicyProblem p = only("version: '1'\ntools:\n  create_compile:\n    limits:\n      - max: 10\n        window: minit\n");
    assertThat(p.pointer()).isEqualTo("/tools/create_compile/limits/0/window");
    assertThat(p.line()).isEqualTo(6);
    assertThat(p.column()).isEqualTo(17);
    assertThat(p.message()).isEqualTo("\"minit\" is not a window; expected second, minute, hour, day, a number of seconds or a duration like 30s");
    assertThat(p.toString()).isEqualTo("p.yaml: /tools/create_compile/limits/0/window (line 6, col 17): " + p.message());
  }

  @ParameterizedTest
  @CsvSource({"0", "-5", "1.5", "5x", "''", "true", "1w"})
  void windowsThatAreNotWindows(String window) {
    assertThat(pointers("version: '1'\ntools:\n  t: {limits: [{max: 1, window: " + window + "}]}\n"))
        .containsExactly("/tools/t/limits/0/window");
  }

  @Test
  void unknownKeysAreReportedAtTheKeyWithADidYouMean() {
    PolicyProblem p = only("version: '1'\ntools:\n  t:\n    limits:\n      - {max: 1, window: hour, windw: 60}\n");
    assertThat(p.pointer()).isEqualTo("/tools/t/limits/0/windw");
    assertThat(p.message()).startsWith("unknown key \"windw\"; did you mean \"window\"?");
    assertThat(p.line()).isEqualTo(5);
    assertThat(only("version: '1'\ndefualt: allow\n").message()).contains("did you mean \"default\"?");
    assertThat(only("version: '1'\ntools:\n  t: {actoin: deny}\n").pointer()).isEqualTo("/tools/t/actoin");
    assertThat(only("version: '1'\ngrants:\n  bob: {toolz: {}}\n").pointer()).isEqualTo("/grants/bob/toolz");
    assertThat(only("version: '1'\ntools:\n  t: {conditions: [{path: args.a, op: eq, value: 1, reasn: x}]}\n").pointer())
        .isEqualTo("/tools/t/conditions/0/reasn");
    assertThat(only("version: '1'\nzzzz: 1\n").message()).doesNotContain("did you mean");
  }

  @Test
  void theVersionMustBeTheStringOne() {
    assertThat(only("version: 1\n").message()).isEqualTo("expected the string \"1\", got the number 1");
    assertThat(only("version: '2'\n").pointer()).isEqualTo("/version");
    PolicyProblem missing = only("tools: {}\n");
    assertThat(missing.pointer()).isEmpty();
    assertThat(missing.message()).isEqualTo("missing required key \"version\"");
  }

  @Test
  void wrongTypesSayWhatWasExpected() {
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: ten, window: hour}]}\n").message())
        .isEqualTo("expected a number >= 0, got \"ten\"");
    assertThat(only("version: '1'\ntools: [a, b]\n").message()).startsWith("expected a mapping of tool names");
    assertThat(only("version: '1'\ntools:\n  t: 5\n").message()).isEqualTo("expected a tool entry (a mapping), got the number 5");
    assertThat(only("version: '1'\ntools:\n  t: {limits: {max: 1}}\n").pointer()).isEqualTo("/tools/t/limits");
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: 1, window: [1]}]}\n").message())
        .startsWith("expected second, minute");
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: 1, window: hour, refund_on_error: yes please}]}\n").message())
        .isEqualTo("expected true or false, got \"yes please\"");
    assertThat(only("version: '1'\ndefault: maybe\n").message()).isEqualTo("\"maybe\" is not one of allow, deny");
    assertThat(only("[1, 2]").message()).contains("got a list");
  }

  @Test
  void negativeMaxAndCostAreRefused() {
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: -1, window: hour}]}\n").pointer()).isEqualTo("/tools/t/limits/0/max");
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: 1, window: hour, cost: -1}]}\n").pointer()).isEqualTo("/tools/t/limits/0/cost");
    PolicyProblem tooDear = only("version: '1'\ntools:\n  t: {limits: [{max: 1, window: hour, cost: 2}]}\n");
    assertThat(tooDear.message()).contains("could never admit");
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: 9, window: hour, cost: 2, cost_from: args.x}]}\n").message())
        .contains("exclude each other");
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: 9, window: hour, cost_from: identity.id}]}\n").pointer())
        .isEqualTo("/tools/t/limits/0/cost_from");
  }

  @Test
  void amountsAreExactToTheMillionthAndAtMostOneBillion() {
    assertThat(problems("version: '1'\ntools:\n  t: {limits: [{max: 0.000001, window: hour, cost: 0.000001}]}\n")).isEmpty();
    assertThat(problems("version: '1'\ntools:\n  t: {limits: [{max: 1000000000, window: hour, cost: 999999999.999999}]}\n")).isEmpty();
    PolicyProblem precise = only("version: '1'\ntools:\n  t: {limits: [{max: 0.1234567, window: hour}]}\n");
    assertThat(precise.pointer()).isEqualTo("/tools/t/limits/0/max");
    assertThat(precise.message()).isEqualTo("expected at most 6 decimal places (amounts are exact to the millionth), got the number 0.1234567");
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: 1, window: hour, cost: 1e-7}]}\n").pointer())
        .isEqualTo("/tools/t/limits/0/cost");
    PolicyProblem huge = only("version: '1'\ntools:\n  t: {limits: [{max: 1000000000.5, window: hour}]}\n");
    assertThat(huge.pointer()).isEqualTo("/tools/t/limits/0/max");
    assertThat(huge.message()).startsWith("expected at most 1000000000 ");
    assertThat(only("{\"version\": \"1\", \"tools\": {\"t\": {\"limits\": [{\"max\": 1e300, \"window\": 60}]}}}").pointer())
        .isEqualTo("/tools/t/limits/0/max");
    PolicyProblem shorthand = only("version: '1'\ntools:\n  t: {rate_limit: 0.1234567/minute}\n");
    assertThat(shorthand.pointer()).isEqualTo("/tools/t/rate_limit");
    assertThat(shorthand.message()).contains("6 decimal places");
    assertThat(problems("version: '1'\ntools:\n  t: {rate_limit: 0.5/minute}\n")).isEmpty();
  }

  @Test
  void operatorsAndTheirValues() {
    PolicyProblem op = only("version: '1'\ntools:\n  t: {conditions: [{path: args.a, op: equals, value: 1}]}\n");
    assertThat(op.pointer()).isEqualTo("/tools/t/conditions/0/op");
    assertThat(op.message()).contains("is not one of eq, neq");
    for (String bad : List.of("in, value: 3", "not_in, value: x", "lt, value: [1]", "gte, value: true", "regex, value: 1",
        "starts_with, value: 2", "ends_with, value: {}", "exists, value: yes please")) {
      assertThat(pointers("version: '1'\ntools:\n  t: {conditions: [{path: args.a, op: " + bad + "}]}\n"))
          .as(bad).containsExactly("/tools/t/conditions/0/value");
    }
    for (String good : List.of("eq, value: {a: [1]}", "neq, value: null", "contains, value: 3", "lt, value: abc", "exists, value: false")) {
      assertThat(problems("version: '1'\ntools:\n  t: {conditions: [{path: args.a, op: " + good + "}]}\n")).as(good).isEmpty();
    }
    assertThat(pointers("version: '1'\ntools:\n  t: {conditions: [{path: args.a, op: eq}]}\n")).containsExactly("/tools/t/conditions/0");
  }

  @Test
  void aRegexRe2CannotCompileIsALoadErrorAtItsValue() {
    PolicyProblem backreference = only("version: '1'\ntools:\n  t: {conditions: [{path: args.a, op: regex, value: '(a)\\1'}]}\n");
    assertThat(backreference.pointer()).isEqualTo("/tools/t/conditions/0/value");
    assertThat(backreference.message()).contains("not an RE2 regular expression");
    assertThat(only("version: '1'\ntools:\n  t: {conditions: [{path: args.a, op: not_regex, value: '(?=x)'}]}\n").pointer())
        .isEqualTo("/tools/t/conditions/0/value");
  }

  @Test
  void pathsAndScopes() {
    assertThat(only("version: '1'\ntools:\n  t: {conditions: [{path: arguments.a, op: eq, value: 1}]}\n").pointer())
        .isEqualTo("/tools/t/conditions/0/path");
    assertThat(only("version: '1'\ntools:\n  t: {conditions: [{path: args., op: eq, value: 1}]}\n").pointer())
        .isEqualTo("/tools/t/conditions/0/path");
    PolicyProblem scope = only("version: '1'\ntools:\n  t: {limits: [{max: 1, window: hour, scope: sesion}]}\n");
    assertThat(scope.pointer()).isEqualTo("/tools/t/limits/0/scope");
    assertThat(scope.message()).contains("did you mean \"session\"?");
    assertThat(only("version: '1'\ntools:\n  t: {limits: [{max: 1, window: hour, scope: identity.id}]}\n").pointer())
        .isEqualTo("/tools/t/limits/0/scope");
  }

  @Test
  void keysEachActionDoesNotTake() {
    assertThat(pointers("version: '1'\ntools:\n  t: {action: deny, limits: [{max: 1, window: hour}], conditions: []}\n"))
        .containsExactlyInAnyOrder("/tools/t/limits", "/tools/t/conditions");
    assertThat(only("version: '1'\ntools:\n  t: {action: deny, rate_limit: 5/minute}\n").pointer()).isEqualTo("/tools/t/rate_limit");
    assertThat(only("version: '1'\ntools:\n  t: {when: [{path: args.a, op: eq, value: 1}]}\n").pointer()).isEqualTo("/tools/t/when");
    assertThat(problems("version: '1'\ntools:\n  t: {action: require_approval, when: [{path: args.a, op: eq, value: 1}]}\n")).isEmpty();
  }

  @Test
  void badGlobsAreReportedAtTheirKey() {
    PolicyProblem key = only("version: '1'\ntools:\n  'read_[':\n    action: allow\n");
    assertThat(key.pointer()).isEqualTo("/tools/read_[");
    assertThat(key.line()).isEqualTo(3);
    assertThat(key.column()).isEqualTo(3);
    assertThat(only("version: '1'\nhide: ['a[]']\n").pointer()).isEqualTo("/hide/0");
  }

  @Test
  void limitsThatShareACounterMustAgree() {
    String agree = "version: '1'\ntools:\n  a: {limits: [{counter: c, max: 5, window: hour}]}\n  b: {limits: [{counter: c, max: 5, window: 3600, scope: global}]}\n";
    assertThat(problems(agree)).isEmpty();
    PolicyProblem p = only("version: '1'\ntools:\n  a: {limits: [{counter: c, max: 5, window: hour}]}\n"
        + "  b: {limits: [{counter: c, max: 6, window: hour}]}\n");
    assertThat(p.pointer()).isEqualTo("/tools/b/limits/0");
    assertThat(p.message()).contains("/tools/a/limits/0").contains("must agree");
    assertThat(pointers("version: '1'\ntools:\n  a: {limits: [{counter: c, max: 5, window: hour}]}\n"
        + "grants:\n  x:\n    tools:\n      a: {limits: [{counter: c, max: 5, window: hour, algorithm: sliding}]}\n"))
        .containsExactly("/grants/x/tools/a/limits/0");
  }

  @Test
  void argumentSchemasAreCheckedAndNeverFetched() {
    assertThat(only("version: '1'\ntools:\n  t: {arguments: {type: 7}}\n").pointer()).startsWith("/tools/t/arguments");
    PolicyProblem remote = only("version: '1'\ntools:\n  t: {arguments: {$ref: 'http://127.0.0.1:9/schema.json'}}\n");
    assertThat(remote.pointer()).startsWith("/tools/t/arguments");
    assertThat(remote.message()).contains("not a valid JSON Schema");
    assertThat(problems("version: '1'\ntools:\n  t: {arguments: true}\n")).isEmpty();
  }

  @Test
  void aBadPolicyYieldsEveryProblemInDocumentOrder() {
    String text = String.join("\n",
        "version: '1'",
        "tools:",
        "  create_compile:",
        "    limits:",
        "      - max: -1",
        "        window: minit",
        "        windw: 60",
        "    conditions:",
        "      - {path: args.x, op: regex, value: '(a'}",
        "  delete: {action: nope}",
        "hide: [1]",
        "");
    List<PolicyProblem> found = problems(text);
    assertThat(found).extracting(PolicyProblem::pointer).containsExactly(
        "/tools/create_compile/limits/0/max",
        "/tools/create_compile/limits/0/window",
        "/tools/create_compile/limits/0/windw",
        "/tools/create_compile/conditions/0/value",
        "/tools/delete/action",
        "/hide/0");
    assertThat(found).extracting(PolicyProblem::line).containsExactly(5, 6, 7, 9, 10, 11);
    assertThatThrownBy(() -> Policy.parse(text))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageStartingWith("6 problems in policy:")
        .satisfies(e -> assertThat(((PolicyLoadException) e).problems()).isEqualTo(
            found.stream().map(p -> new PolicyProblem(null, p.pointer(), p.line(), p.column(), p.message())).collect(Collectors.toList())));
  }

  @Test
  void jsonIsLocatedToo() {
    PolicyProblem p = only("{\"version\": \"1\",\n \"tools\": {\"t\": {\"limits\": [{\"max\": 1, \"window\": \"minit\"}]}}}");
    assertThat(p.pointer()).isEqualTo("/tools/t/limits/0/window");
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.column()).isEqualTo(50);
  }

  @Test
  void syntaxErrorsDuplicatesAndEmptyDocuments() {
    PolicyProblem yaml = only("version: '1'\ntools:\n  t: {action: [deny}\n");
    assertThat(yaml.message()).startsWith("not valid YAML");
    assertThat(yaml.line()).isPositive();
    assertThat(only("{\"version\": \"1\",}").message()).startsWith("not valid JSON");
    PolicyProblem dup = only("version: '1'\ntools:\n  t: {}\n  t: {action: deny}\n");
    assertThat(dup.pointer()).isEqualTo("/tools/t");
    assertThat(dup.line()).isEqualTo(4);
    assertThat(only("{\"version\":\"1\",\"version\":\"1\"}").message()).contains("duplicate key");
    assertThat(only("").message()).contains("empty");
    assertThat(only("# just a comment\n").message()).contains("empty");
    assertThat(only("version: '1'\n---\nversion: '1'\n").message()).contains("more than one document");
  }

  @Test
  void hostileDocumentsAreRefusedWithinLimits() {
    String deepYaml = "version: '1'\nx: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
    assertThat(only(deepYaml).message()).contains("read limit").contains("nesting depth");
    String deepJson = "{\"version\":\"1\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThat(only(deepJson).message()).contains("read limit").contains("nesting depth");
    String huge = "{\"version\":\"1\",\"description\":\"" + "x".repeat(2 << 20) + "\"}";
    assertThat(only(huge).message()).isEqualTo("the policy is 2097184 bytes; a policy may be at most 1048576 bytes (1 MiB)");
    String billionLaughs = "version: '1'\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        + "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        + "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
    assertThat(problems(billionLaughs)).isNotEmpty();
    StringBuilder many = new StringBuilder("version: '1'\ntools:\n");
    for (int i = 0; i < 5_000; i++) {
      many.append("  t").append(i).append(": {bad: 1}\n");
    }
    List<PolicyProblem> capped = problems(many.toString());
    assertThat(capped).hasSize(1_001);
    assertThat(capped.get(1_000).message()).isEqualTo("4000 more problems not listed");
  }

  @Test
  void treesAndStreamsAndResourcesLoad(@TempDir Path dir) throws Exception {
    ObjectNode tree = JsonNodeFactory.instance.objectNode().put("version", "1").put("default", "sometimes");
    assertThatThrownBy(() -> Policy.fromTree(tree))
        .isInstanceOf(PolicyLoadException.class)
        .satisfies(e -> assertThat(((PolicyLoadException) e).problems()).singleElement()
            .satisfies(p -> {
              assertThat(p.pointer()).isEqualTo("/default");
              assertThat(p.line()).isZero();
              assertThat(p.toString()).isEqualTo("/default: \"sometimes\" is not one of allow, deny");
            }));
    InputStream in = new ByteArrayInputStream("version: '1'\n".getBytes(StandardCharsets.UTF_8));
    assertThat(Policy.load(in, "stream.yaml").source()).isEqualTo("stream.yaml");
    Path file = dir.resolve("p.json");
    Files.writeString(file, "{\"version\":\"1\",\"description\":\"from a file\"}");
    assertThat(Policy.load(file).description()).isEqualTo("from a file");
    assertThat(Policy.check(file)).isEmpty();
    assertThat(Policy.fromResource("policies/minimal.yaml").description()).isEqualTo("on the classpath");
    assertThatThrownBy(() -> Policy.fromResource("policies/none.yaml")).isInstanceOf(java.io.UncheckedIOException.class);
  }
}
