package io.toolgate.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONObject;
import org.json.JSONTokener;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code scenario.schema.json}, shipped in the jar: every scenario file in the repository (the
 * testkit's conformance copy and samples, and {@code ../shared/conformance} when present) validates
 * against it, and it refuses what the runner refuses.
 */
class ScenarioSchemaTest {
  private static final Path REPO = Path.of("..");
  private static final List<Path> SCENARIO_DIRS = List.of(
      REPO.resolve("policy-testkit/src/test/resources/conformance"),
      REPO.resolve("policy-testkit/src/test/resources/scenarios"),
      REPO.resolve("../shared/conformance"));
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema SCHEMA = load();

  private static Schema load() {
    try (InputStream in = ScenarioRunner.class.getResourceAsStream("scenario.schema.json")) {
      assertThat(in).as("scenario.schema.json in the jar").isNotNull();
      return SchemaLoader.load(new JSONObject(new JSONTokener(in)));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void validate(JsonNode scenario) throws IOException {
    SCHEMA.validate(new JSONObject(JSON.writeValueAsString(scenario)));
  }

  @TestFactory
  Stream<DynamicTest> everyScenarioFileInTheRepositoryValidates() {
    List<Path> files = ScenarioRunner.discover(SCENARIO_DIRS.stream().filter(Files::isDirectory).toList());
    assertThat(files).as("the testkit's scenarios").hasSizeGreaterThanOrEqualTo(20);
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      tests.add(DynamicTest.dynamicTest(file.toString(), () -> {
        try {
          validate(YAML.readTree(file.toFile()));
        } catch (ValidationException e) {
          throw new AssertionError(file + ": " + String.join("; ", e.getAllMessages()), e);
        }
      }));
    }
    return tests.stream();
  }

  @Test
  void theSchemaRefusesWhatTheRunnerRefuses() {
    String good = "{name: ok, policy: {version: '1'}, steps: [{call: t, expect: allow}, {advance: 30s}, {approve: last}]}";
    assertThatValid(good);
    assertInvalid("{name: x, policy: {version: '1'}, steps: [], colour: red}");
    assertInvalid("{policy: {version: '1'}, policy_file: p.yaml, steps: []}");
    assertInvalid("{policy: {version: '1'}, steps: [{call: t, expect: allow, identiy: a}]}");
    assertInvalid("{policy: {version: '1'}, steps: [{call: t, expect: allowed}]}");
    assertInvalid("{policy: {version: '1'}, steps: [{call: t}]}");
    assertInvalid("{policy: {version: '1'}, steps: [{advance: 30s, call: t}]}");
    assertInvalid("{policy: {version: '1'}, steps: [{advance: soon}]}");
    assertInvalid("{policy: {version: '1'}, steps: [{approve: first}]}");
    assertInvalid("{policy: {version: '1'}, steps: [{call: t, expect: allow, args: [1]}]}");
    assertInvalid("{policy: {version: '1'}, steps: [], expect_load_error: [/x]}");
    assertInvalid("{policy: {version: '1'}, expect_load_error: []}");
  }

  private static void assertThatValid(String yaml) {
    try {
      validate(YAML.readTree(yaml));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertInvalid(String yaml) {
    assertThatThrownBy(() -> validate(YAML.readTree(yaml))).as(yaml).isInstanceOf(ValidationException.class);
  }
}
