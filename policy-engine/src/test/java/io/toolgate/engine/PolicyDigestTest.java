package io.toolgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A policy's digest names its content, whatever its format; its load time is when it was loaded. */
class PolicyDigestTest {
  private static final String JSON =
      "{\"version\":\"1\",\"default\":\"deny\",\"tools\":{\"create_compile\":{\"limits\":["
          + "{\"counter\":\"create_compile_rate\",\"window\":\"minute\",\"max\":10,\"scope\":\"grant\"}]}}}";
  private static final String YAML = String.join("\n",
      "# the seed policy, as YAML, keys in another order",
      "tools:",
      "  create_compile:",
      "    limits:",
      "      - { scope: grant, max: 10.0, window: minute, counter: create_compile_rate }",
      "default: deny",
      "version: '1'",
      "");

  @Test
  void theDigestIsTheSha256OfTheCanonicalDocumentSoFormatAndLayoutDoNotChangeIt() {
    Policy json = Policy.parse(JSON);
    Policy yaml = Policy.parse(YAML);

    assertThat(json.digest()).matches("[0-9a-f]{64}").isEqualTo(yaml.digest());
    assertThat(Policy.fromTree(json.document()).digest()).isEqualTo(json.digest());
    assertThat(Policy.parse(JSON.replace("\"max\":10", "\"max\":11")).digest()).isNotEqualTo(json.digest());
  }

  @Test
  void theLoadTimeIsWhenThePolicyWasLoaded() {
    Instant before = Instant.now();
    Policy policy = Policy.parse(JSON);
    Instant after = Instant.now();

    assertThat(policy.loadedAt()).isBetween(before, after);
  }
}
