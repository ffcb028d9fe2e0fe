package io.toolgate.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.engine.ToolGlob;
import org.junit.jupiter.api.Test;

/** Keys that match exactly one name, glob characters and all, and canonical JSON. */
class ExactKeysTest {
  @Test
  void anExactKeyMatchesItsNameOnlyAndGivesItBack() {
    for (String name : new String[] {"*", "a*b", "read_[x]?", "[", "]", "[*]", "plain", ""}) {
      String key = ScanPolicyWriter.exactKey(name);
      assertThat(ScanPolicyWriter.exactName(key)).isEqualTo(name);
      ToolGlob glob = ToolGlob.compile(key);
      assertThat(glob.matches(name)).as(key).isTrue();
      assertThat(glob.matches(name + "x")).isFalse();
      assertThat(glob.matches("x")).isFalse();
    }
    assertThat(ScanPolicyWriter.exactKey("plain")).isEqualTo("plain");
  }

  @Test
  void aRealGlobHasNoExactName() {
    assertThat(ScanPolicyWriter.exactName("read_*")).isNull();
    assertThat(ScanPolicyWriter.exactName("[rd]x")).isNull();
    assertThat(ScanPolicyWriter.exactName("a?")).isNull();
  }

  @Test
  void canonicalJsonIgnoresKeyOrderAndNumberSpelling() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(CanonicalJson.of(json.readTree("{\"b\":1.0,\"a\":[1e2,\"x\\n\"]}")))
        .isEqualTo(CanonicalJson.of(json.readTree("{\"a\":[100,\"x\\n\"],\"b\":1}")))
        .isEqualTo("{\"a\":[1E+2,\"x\\n\"],\"b\":1}");
    assertThat(CanonicalJson.digest(json.readTree("{}"))).matches("sha256:[0-9a-f]{64}");
    assertThat(CanonicalJson.of(json.readTree("{\"a\":1}"))).isNotEqualTo(CanonicalJson.of(json.readTree("{\"a\":\"1\"}")));
  }
}
