package io.toolgate.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.toolgate.engine.approval.ArgumentsDigest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md "Two distinct argument values never share a counter key": a lone UTF-16 surrogate
 * (which UTF-8 cannot carry and would turn into {@code ?}) is escaped in the canonical form, so
 * values that differ only there have different digests, while every well-formed value keeps the
 * canonical text Jackson writes.
 */
class CanonicalJsonSurrogateTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static JsonNode path(String value) {
    return F.objectNode().put("path", value);
  }

  @Test
  void valuesThatDifferOnlyInALoneSurrogateHaveDistinctDigests() {
    List<String> digests = List.of(
        ArgumentsDigest.of(path("/srv/a?")),
        ArgumentsDigest.of(path("/srv/a\ud800")),
        ArgumentsDigest.of(path("/srv/a\udfff")),
        ArgumentsDigest.of(path("/srv/a\\ud800")),
        ArgumentsDigest.of(F.objectNode().put("k\ud800", 1)),
        ArgumentsDigest.of(F.objectNode().put("k?", 1)));
    assertThat(digests).doesNotHaveDuplicates();
  }

  @Test
  void aLoneSurrogateIsWrittenAsAnEscapeInStringsAndKeys() {
    assertThat(CanonicalJson.canonical(path("a\ud800b\"\udfff"))).isEqualTo("{\"path\":\"a\\ud800b\\\"\\udfff\"}");
    assertThat(CanonicalJson.canonical(F.objectNode().put("k\udbff", "v"))).isEqualTo("{\"k\\udbff\":\"v\"}");
    assertThat(CanonicalJson.canonical(F.textNode("\udfff\ud800"))).as("reversed pair: two lone ones")
        .isEqualTo("\"\\udfff\\ud800\"");
  }

  @Test
  void wellFormedTextKeepsJacksonsCanonicalForm() throws Exception {
    for (String s : List.of("plain", "π ≈ 3.14", "emoji \ud83d\ude00 pair", "tab\tquote\"backslash\\", "\u0000\u001f",
        "\u2028\u202e\ufeff")) {
      JsonNode node = F.objectNode().put(s, s);
      assertThat(CanonicalJson.canonical(node)).isEqualTo(Jackson.JSON.writeValueAsString(node));
    }
  }

  @Test
  void aLongStringWithALoneSurrogateIsWrittenWhole() {
    String big = "x".repeat(100_000) + "\ud800" + "y".repeat(100_000);
    assertThat(CanonicalJson.canonical(F.textNode(big))).isEqualTo("\"" + "x".repeat(100_000) + "\\ud800" + "y".repeat(100_000) + "\"");
  }
}
