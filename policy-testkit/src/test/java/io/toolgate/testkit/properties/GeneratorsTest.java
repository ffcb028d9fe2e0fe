package io.toolgate.testkit.properties;

import static io.toolgate.testkit.ToolgateAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.ArgumentsSchema;
import io.toolgate.engine.PolicyDocuments;
import io.toolgate.testkit.PolicyTester;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The generators produce what they promise. Distribution checks use a fixed seed. */
class GeneratorsTest {
  private static final ObjectMapper JSON = PolicyDocuments.jsonMapper();

  private static final String SCHEMA = String.join("\n",
      "{\"type\": \"object\", \"required\": [\"projectId\", \"name\"], \"additionalProperties\": false,",
      " \"properties\": {",
      "  \"projectId\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1000},",
      "  \"name\": {\"type\": \"string\", \"minLength\": 3, \"maxLength\": 12, \"pattern\": \"^[a-z][a-z0-9_]*$\"},",
      "  \"mode\": {\"enum\": [\"paper\", \"live\"]},",
      "  \"ratio\": {\"type\": \"number\", \"exclusiveMinimum\": 0, \"exclusiveMaximum\": 1},",
      "  \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\", \"maxLength\": 5}, \"minItems\": 1, \"maxItems\": 3},",
      "  \"dryRun\": {\"type\": \"boolean\"}}}");

  private static <T> List<T> sample(Gen<T> gen, int count) {
    List<T> out = new ArrayList<>();
    qt().withFixedSeed(42).withExamples(count).forAll(gen).checkAssert(out::add);
    return out;
  }

  @Test
  void toolNamesReachTheAwkwardCorners() {
    List<String> names = sample(ToolgateGenerators.toolNames(), 600);
    assertThat(names).contains("", " ", "\t", "*");
    assertThat(names).anyMatch(n -> n.chars().anyMatch(c -> c > 0x7f));
    assertThat(names).anyMatch(n -> n.chars().anyMatch(c -> Character.isSurrogate((char) c)));
    assertThat(names).anyMatch(n -> n.length() >= 200);
    List<String> near = sample(ToolgateGenerators.toolNames("create_compile"), 600);
    assertThat(near).contains("create_compile", "CREATE_COMPILE", "create_compile ", " create_compile", "create_compil",
        "create_compile\u0000", "c\u200breate_compile");
    assertThat(near).anyMatch(n -> n.startsWith("cr\u0435\u0430t"));
  }

  @Test
  void argumentsAndIdentitiesIncludeMissingAndOddParts() {
    List<JsonNode> args = sample(ToolgateGenerators.arguments(), 400);
    assertThat(args).anyMatch(JsonNode::isObject).anyMatch(a -> !a.isObject()).anyMatch(a -> a.isObject() && a.isEmpty());
    assertThat(args).anyMatch(a -> depth(a) >= 3);
    List<CallContext> who = sample(ToolgateGenerators.identities(), 400);
    assertThat(who).contains(CallContext.anonymous());
    assertThat(who).anyMatch(c -> c.principal() != null && c.sessionId() == null);
    assertThat(who).anyMatch(c -> c.principal() == null && c.sessionId() != null);
    assertThat(who).anyMatch(c -> !c.roles().isEmpty() && !c.attributes().isEmpty());
    List<CallContext> pool = sample(ToolgateGenerators.identities("ci-bot", "ops"), 200);
    assertThat(pool).allMatch(c -> c.principal() == null || Set.of("ci-bot", "ops", "agent-1").contains(c.principal()));
    List<ToolCall> calls = sample(ToolgateGenerators.toolCalls(), 50);
    assertThat(calls).hasSize(50);
  }

  private static int depth(JsonNode node) {
    int max = 0;
    for (JsonNode child : node) {
      max = Math.max(max, depth(child));
    }
    return node.isContainerNode() ? max + 1 : 0;
  }

  @Test
  void validSamplesSatisfyTheSchemaAndTheEngineAllowsThem() throws Exception {
    JsonNode schema = JSON.readTree(SCHEMA);
    ArgumentsSchema checker = ArgumentsSchema.of(schema);
    PolicyTester tester = PolicyTester.of(policyWith(schema));
    Set<String> seenProperties = new TreeSet<>();
    qt().withExamples(300).forAll(SchemaArguments.valid(schema)).checkAssert(args -> {
      assertThat(checker.violations(args)).as(args.toString()).isEmpty();
      args.fieldNames().forEachRemaining(seenProperties::add);
      assertThat(tester.as("a").call("t", args)).isAllowed();
    });
    assertThat(seenProperties).containsExactly("dryRun", "mode", "name", "projectId", "ratio", "tags");
  }

  @Test
  void invalidSamplesBreakExactlyOneConstraintAndTheEngineDeniesThem() throws Exception {
    JsonNode schema = JSON.readTree(SCHEMA);
    ArgumentsSchema checker = ArgumentsSchema.of(schema);
    PolicyTester tester = PolicyTester.of(policyWith(schema));
    Set<String> keywords = new TreeSet<>();
    qt().withFixedSeed(7).withExamples(400).forAll(SchemaArguments.invalid(schema)).checkAssert(bad -> {
      assertThat(checker.violations(bad.arguments())).as(bad.toString()).hasSize(1);
      keywords.add(bad.keyword());
      assertThat(tester.as("a").call("t", bad.arguments()))
          .isDenied().decidedBy("/tools/t/arguments").hasReasonContaining("#" + bad.pointer());
    });
    assertThat(keywords).containsExactlyInAnyOrder("type", "required", "additionalProperties", "minimum", "maximum",
        "minLength", "maxLength", "pattern", "enum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems");
  }

  @Test
  void schemasWithoutConstraintsOrWithBadPatternsAreRefused() throws Exception {
    assertThatThrownBy(() -> SchemaArguments.invalid(JSON.readTree("{}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no constraint");
    assertThatThrownBy(() -> SchemaArguments.valid(JSON.readTree("{\"type\": \"strung\"}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a usable arguments schema");
    JsonNode flags = JSON.readTree("{\"properties\": {\"p\": {\"type\": \"string\", \"pattern\": \"(?i)abc\"}}}");
    assertThatThrownBy(() -> SchemaArguments.valid(flags)).hasMessageContaining("beyond the simple patterns");
  }

  @Test
  void simplePatternsGenerateMatchingStrings() {
    for (String regex : List.of("^[A-Z]{2}-\\d{3,5}$", "(foo|bar)+baz?", "[^a-z]x\\.y", "\\w+@\\w+\\.com", "^(?:ab|c){2}$",
        "[]a]z", "a*b+c?d{2,}", "\\s\\-\\$")) {
      Pattern pattern = Pattern.compile(regex);
      assertThat(sample(SimplePattern.generator(regex), 100)).as(regex).allMatch(s -> pattern.matcher(s).find());
    }
    for (String unsupported : List.of("a\\1", "(?<n>x)", "[z-a]", "(ab", "ab)", "[ab", "a{x}")) {
      assertThatThrownBy(() -> SimplePattern.generator(unsupported)).as(unsupported).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static JsonNode policyWith(JsonNode schema) {
    ObjectNode policy = JSON.createObjectNode();
    policy.put("version", "1");
    policy.putObject("tools").putObject("t").set("arguments", schema);
    return policy;
  }
}
