package io.toolgate.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario files bound to records: what a malformed file is told, key by key. */
class ScenarioFileTest {
  @TempDir Path dir;

  private String failure(String yaml) throws IOException {
    Path file = dir.resolve("s.yaml");
    Files.writeString(file, yaml);
    ScenarioResult result = ScenarioRunner.run(file);
    assertThat(result.passed()).isFalse();
    return result.failures().get(0).got();
  }

  @Test
  void aGoodFileRuns() throws IOException {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, String.join("\n",
        "name: bound",
        "policy: {version: '1', tools: {t: {rate_limit: 1/minute}}}",
        "start: 2026-01-01T10:00:00Z",
        "step_timeout: 5s",
        "steps:",
        "  - {call: t, identity: a, roles: ops, session: s1, args: {n: 1.5}, expect: allow}",
        "  - {call: t, identity: a, expect: rate_limited, retry_after: 60s, reason_contains: t}",
        "  - advance: 1m",
        "  - {call: t, identity: a, tool_fails: true, repeat: 1, expect: ALLOW}",
        ""));
    ScenarioResult result = ScenarioRunner.run(file);
    assertThat(result.failures()).isEmpty();
    assertThat(result.name()).isEqualTo("bound");
  }

  @Test
  void unknownKeysAreNamedWithWhereTheyAreAndWhatIsExpected() throws IOException {
    assertThat(failure("policy: {version: '1'}\nsteps: []\ncolour: red\n"))
        .isEqualTo("the scenario has an unknown key \"colour\"; expected one of"
            + " [description, expect_load_error, name, policy, policy_file, start, step_timeout, steps]");
    assertThat(failure("policy: {version: '1'}\nsteps:\n  - {advance: 1s}\n  - {call: t, identiy: a, expect: allow}\n"))
        .isEqualTo("step 2 has an unknown key \"identiy\"; expected one of"
            + " [args, call, expect, identity, reason_contains, repeat, retry_after, roles, session, tool_fails]");
    assertThat(failure("policy: {version: '1'}\nsteps:\n  - {advance: 30s, call: t}\n"))
        .isEqualTo("step 1 has an unknown key \"call\"; expected one of [advance]");
  }

  @Test
  void valuesOfTheWrongTypeNameTheirKey() throws IOException {
    assertThat(failure("policy: {version: '1'}\nsteps: many\n")).isEqualTo("steps must be a list");
    assertThat(failure("policy: {version: '1'}\nsteps:\n  - {call: t, args: [1], expect: allow}\n"))
        .isEqualTo("step 1: args must be a mapping");
    assertThat(failure("policy: {version: '1'}\nsteps:\n  - {call: t, repeat: often, expect: allow}\n"))
        .isEqualTo("step 1: repeat must be a whole number");
    assertThat(failure("policy: {version: '1'}\nsteps:\n  - {approve: first}\n")).isEqualTo("step 1: approve takes only 'last'");
    assertThat(failure("policy: {version: '1'}\nexpect_load_error: /x\n"))
        .isEqualTo("expect_load_error must be a non-empty list of JSON Pointers");
    assertThat(failure("policy: {version: '1'}\nsteps:\n  - {call: t}\n")).isEqualTo("step 1 needs expect");
    assertThat(failure("policy: {version: '1'}\nsteps:\n  - [t]\n")).isEqualTo("step 1 is not a mapping");
  }
}
