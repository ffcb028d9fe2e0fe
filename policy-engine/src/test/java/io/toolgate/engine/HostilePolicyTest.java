package io.toolgate.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md "Hostile input": a policy is refused, with located problems, when it would be unsafe
 * to run. Each file under {@code src/test/resources/hostile} is one attack; the CLI's tests run
 * {@code validate} on the same files.
 */
class HostilePolicyTest {
  private static final CallContext AGENT = CallContext.of("agent-1");

  private static Path hostile(String name) {
    try {
      return Path.of(HostilePolicyTest.class.getClassLoader().getResource("hostile/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> located(List<PolicyProblem> problems) {
    return problems.stream()
        .map(p -> p.pointer() + " " + p.line() + ":" + p.column())
        .collect(Collectors.toList());
  }

  private static List<PolicyProblem> problems(String text) {
    return Policy.check(text, null);
  }

  @Test
  void yamlAliasesAndAnchorsAreRefusedWhereTheyStand() {
    List<PolicyProblem> found = Policy.check(hostile("alias.yaml"));
    assertThat(located(found)).containsExactly("/description 3:14", "/tools/deploy/conditions/0/value 7:42");
    assertThat(found.get(0).message()).startsWith("YAML anchor &prod is not allowed");
    assertThat(found.get(1).message()).startsWith("YAML alias *prod is not allowed");

    assertThat(problems("version: '1'\ntools:\n  &k t: {}\n  u: &m {action: deny}\n  v: {reason: !!str &r why}\n"))
        .extracting(PolicyProblem::pointer, PolicyProblem::message)
        .containsExactly(
            tuple("/tools/t", "YAML anchor &k is not allowed in a policy; write each value out in full"),
            tuple("/tools/u", "YAML anchor &m is not allowed in a policy; write each value out in full"),
            tuple("/tools/v/reason", "YAML anchor &r is not allowed in a policy; write each value out in full"));
    // A plain value that merely contains & or * is text.
    assertThat(problems("version: '1'\ndescription: R&D *only*\ntools:\n  t: {reason: '&x'}\n")).isEmpty();
  }

  @Test
  void numbersNoDoubleHoldsAreRefusedAtTheirPointer() {
    assertThat(located(Policy.check(hostile("number-out-of-range.json")))).containsExactly(
        "/tools/transfer/arguments/properties/amount/minimum 5:94", "/tools/transfer/conditions/0/value 6:68");
    PolicyProblem max = problems("version: '1'\ntools:\n  t: {limits: [{max: 1e999, window: minute}]}\n").get(0);
    assertThat(max.pointer()).isEqualTo("/tools/t/limits/0/max");
    assertThat(max.message()).isEqualTo(
        "the number 1e999 is out of range: a policy's numbers must fit a double (at most about 1.8e308 in size,"
            + " and unless 0 at least about 4.9e-324)");
    assertThat(located(problems("version: '1'\ntools:\n  t: {when: [{path: args.a, op: gt, value: .inf}], action: deny}\n")))
        .containsExactly("/tools/t/when/0/value 3:44");
    assertThat(problems("{\"version\": \"1\", \"tools\": {\"t\": {\"conditions\": [{\"path\": \"args.a\", \"op\": \"gt\","
        + " \"value\": 1e-999}]}}}")).extracting(PolicyProblem::pointer).containsExactly("/tools/t/conditions/0/value");
    assertThat(problems("version: '1'\ntools:\n  t: {limits: [{max: 1e9, window: minute}],"
        + " conditions: [{path: args.a, op: gt, value: 0.0}, {path: args.a, op: gt, value: -0e5}, {path: args.a, op: gt, value: 5e-324}]}\n"))
        .isEmpty();
  }

  @Test
  void aTreeHoldingInfinityIsRefusedAtItsPointerNotWithAnUnlocatedException() {
    ObjectNode tree = JsonNodeFactory.instance.objectNode().put("version", "1");
    tree.putObject("tools").putObject("t").putArray("conditions").addObject()
        .put("path", "args.a").put("op", "lt").put("value", Double.NEGATIVE_INFINITY);
    assertThatThrownBy(() -> Policy.fromTree(tree))
        .isInstanceOf(PolicyLoadException.class)
        .satisfies(e -> assertThat(((PolicyLoadException) e).problems()).singleElement()
            .extracting(PolicyProblem::pointer).isEqualTo("/tools/t/conditions/0/value"));
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedAtTheirLineAndColumn() throws Exception {
    PolicyProblem file = Policy.check(hostile("not-utf8.yaml")).get(0);
    assertThat(file.line()).isEqualTo(2);
    assertThat(file.column()).isEqualTo(18);
    assertThat(file.message()).isEqualTo("byte 0xe9 at offset 30 is not UTF-8; a policy must be UTF-8 text");
    // A stream was decoded with replacement characters, so the policy loaded with altered text.
    byte[] bytes = Files.readAllBytes(hostile("not-utf8.yaml"));
    assertThatThrownBy(() -> Policy.load(new ByteArrayInputStream(bytes), "stream.yaml"))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("stream.yaml: (document) (line 2, col 18): byte 0xe9");
    // Columns count characters, not bytes; a byte order mark is allowed.
    byte[] afterEmoji = "\ufeffversion: '1'\ndescription: \"\uD83D\uDE00 x\"\n".getBytes(UTF_8);
    assertThat(Policy.load(new ByteArrayInputStream(afterEmoji), "bom.yaml")).isNotNull();
    afterEmoji[afterEmoji.length - 3] = (byte) 0xff;
    PolicyProblem emoji = Policy.check(write(afterEmoji)).get(0);
    assertThat(List.of(emoji.line(), emoji.column())).containsExactly(2, 17);
  }

  @TempDir Path dir;

  private Path write(byte[] bytes) throws Exception {
    return Files.write(Files.createTempFile(dir, "policy", ".yaml"), bytes);
  }

  @Test
  void aPolicyOverTheSizeLimitIsRefusedBeforeItIsParsed() throws Exception {
    byte[] large = ("version: '1'\ndescription: '" + "x".repeat(Policy.MAX_BYTES) + "'\n").getBytes(UTF_8);
    String expected = "the policy is " + large.length + " bytes; a policy may be at most 1048576 bytes (1 MiB)";
    assertThat(Policy.check(write(large))).singleElement().extracting(PolicyProblem::message).isEqualTo(expected);
    byte[] exactly = ("version: '1'\ndescription: '" + "x".repeat(Policy.MAX_BYTES - 29) + "'\n").getBytes(UTF_8);
    assertThat(exactly).hasSize(Policy.MAX_BYTES);
    assertThat(Policy.check(write(exactly))).isEmpty();
    // A stream is read no further than the limit: an endless one is refused, not read forever.
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return ' ';
      }
    };
    assertThatThrownBy(() -> Policy.load(endless, "endless"))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("a policy may be at most 1048576 bytes");
  }

  @Test
  void regexesWhoseProgramIsTooLargeAreRefusedAtTheRegex() {
    List<PolicyProblem> found = Policy.check(hostile("regex-too-large.yaml"));
    assertThat(located(found)).containsExactly(
        "/tools/search/arguments/properties/q/pattern 8:36", "/tools/search/conditions/0/value 10:42");
    assertThat(found.get(1).message()).startsWith("\"((a{1000}){1000}){1000}\" is too large to run: its compiled program"
        + " would have about 1002002001 instructions, and at most 2000 are allowed");
    assertThat(located(problems("version: '1'\ntools:\n  t:\n    arguments: {patternProperties: {'(x{100}){101}': {}}}\n"
        + "    conditions: [{path: args.a, op: not_regex, value: '(?i)(\\w{50}|[a-z]{50}){100}'}]\n")))
        .containsExactly("/tools/t/arguments/patternProperties/(x{100}){101} 4:37", "/tools/t/conditions/0/value 5:55");
    // Within the limit, and data that is not a schema, load.
    assertThat(problems("version: '1'\ntools:\n  t:\n    arguments: {properties: {q: {pattern: '^[a-z]{1,64}$',"
        + " const: {pattern: '(a{1000}){100}'}}}}\n    conditions: [{path: args.q, op: regex, value: '\\d{1,1000}'}]\n"))
        .isEmpty();
  }

  @Test
  void refChainsThatNeverEndAreRefusedAtTheArguments() {
    List<PolicyProblem> found = Policy.check(hostile("ref-loop.json"));
    assertThat(found).extracting(PolicyProblem::pointer)
        .containsExactly("/tools/self/arguments", "/tools/all_of_self/arguments", "/tools/mutual/arguments");
    assertThat(found.get(0).message()).startsWith("the schema refers to itself through $ref without descending");
    assertThat(problems("version: '1'\ntools:\n  t: {arguments: {if: {$ref: '#'}, then: {type: object}}}\n"))
        .extracting(PolicyProblem::pointer).containsExactly("/tools/t/arguments");
    assertThat(problems("version: '1'\ntools:\n  t: {arguments: {type: object, dependencies: {a: {$ref: '#'}}}}\n"))
        .extracting(PolicyProblem::pointer).containsExactly("/tools/t/arguments");
    assertThat(problems("version: '1'\ntools:\n  t: {arguments: {properties: {p: {definitions: {x: {allOf: [{$ref: "
        + "'#/properties/p/definitions/x'}]}}, $ref: '#/properties/p/definitions/x'}}}}\n"))
        .extracting(PolicyProblem::pointer).containsExactly("/tools/t/arguments");
  }

  @Test
  void recursionThatDescendsIntoTheArgumentsStillLoadsAndDecides() {
    Policy tree = Policy.parse(String.join("\n",
        "version: '1'",
        "tools:",
        "  tree:",
        "    arguments:",
        "      definitions:",
        "        node: {type: object, required: [name], properties: {name: {type: string},"
            + " children: {type: array, items: {$ref: '#/definitions/node'}}}, additionalProperties: false}",
        "      allOf: [{$ref: '#/definitions/node'}]",
        "  list:",
        "    arguments: {type: [object, 'null'], properties: {next: {$ref: '#'}}}",
        ""));
    PolicyEngine engine = PolicyEngine.of(tree);
    Map<String, Object> leaf = Map.of("name", "leaf");
    assertThat(engine.evaluate(ToolCall.of("tree", Map.of("name", "root", "children", List.of(leaf, leaf))), AGENT)
        .isAllowed()).isTrue();
    Decision bad = engine.evaluate(ToolCall.of("tree", Map.of("name", "root", "children", List.of(Map.of("name", 7)))), AGENT);
    assertThat(bad.kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(engine.evaluate(ToolCall.of("list", Map.of("next", Map.of("next", Map.of()))), AGENT).isAllowed()).isTrue();
  }

  @Test
  void anErrorWhileLoadingBecomesAPolicyLoadException() {
    InputStream exhausted = new InputStream() {
      @Override
      public int read() {
        throw new OutOfMemoryError("Java heap space");
      }

      @Override
      public int read(byte[] b, int off, int len) {
        throw new OutOfMemoryError("Java heap space");
      }
    };
    assertThatThrownBy(() -> Policy.load(exhausted, "big.yaml"))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessage("1 problem in policy:\n  big.yaml: (document): the policy could not be loaded:"
            + " it needs more memory than is available (out of memory)");
    JsonNode overflowing = new ObjectNode(JsonNodeFactory.instance) {
      @Override
      public java.util.Iterator<Map.Entry<String, JsonNode>> fields() {
        throw new StackOverflowError();
      }
    };
    assertThatThrownBy(() -> Policy.fromTree(overflowing))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("stack overflow");
  }
}
