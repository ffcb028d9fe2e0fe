package io.toolgate.engine.internal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** Numbers compare by value, infinities as infinities; scope keys never collide for distinct values. */
class JsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode INF = DoubleNode.valueOf(Double.POSITIVE_INFINITY);
  private static final JsonNode NEG_INF = DoubleNode.valueOf(Double.NEGATIVE_INFINITY);
  private static final JsonNode NAN = DoubleNode.valueOf(Double.NaN);
  private static final JsonNode HUGE_INT = BigIntegerNode.valueOf(BigInteger.TEN.pow(400));
  private static final JsonNode HUGE_DEC = DecimalNode.valueOf(new BigDecimal("1e400"));

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void infinitiesOrderAroundEveryFiniteNumber() {
    for (JsonNode finite : new JsonNode[] {IntNode.valueOf(0), DoubleNode.valueOf(Double.MAX_VALUE), HUGE_INT, HUGE_DEC,
        DecimalNode.valueOf(new BigDecimal("-1e400")), FloatNode.valueOf(Float.MAX_VALUE)}) {
      assertThat(Json.compareNumbers(INF, finite)).as("%s", finite).isPositive();
      assertThat(Json.compareNumbers(finite, INF)).as("%s", finite).isNegative();
      assertThat(Json.compareNumbers(NEG_INF, finite)).as("%s", finite).isNegative();
      assertThat(Json.compareNumbers(finite, NEG_INF)).as("%s", finite).isPositive();
      assertThat(Json.equal(INF, finite)).isEqualTo(Truth.FALSE);
    }
    assertThat(Json.compareNumbers(INF, DoubleNode.valueOf(Double.POSITIVE_INFINITY))).isZero();
    assertThat(Json.compareNumbers(INF, FloatNode.valueOf(Float.POSITIVE_INFINITY))).isZero();
    assertThat(Json.compareNumbers(NEG_INF, INF)).isNegative();
    assertThat(Json.equal(INF, FloatNode.valueOf(Float.POSITIVE_INFINITY))).isEqualTo(Truth.TRUE);
    assertThat(Json.equal(INF, NEG_INF)).isEqualTo(Truth.FALSE);
  }

  @Test
  void nanHasNoOrderAndNoEquality() throws Exception {
    assertThat(Json.compareNumbers(NAN, IntNode.valueOf(0))).isEqualTo(Json.UNORDERED);
    assertThat(Json.compareNumbers(INF, NAN)).isEqualTo(Json.UNORDERED);
    assertThat(Json.equal(NAN, NAN)).isEqualTo(Truth.UNKNOWN);
    assertThat(Json.equal(NAN, TextNode.valueOf("NaN"))).isEqualTo(Truth.UNKNOWN);
    assertThat(Json.equal(JSON.createArrayNode().add(Double.NaN).add(1), json("[5, 1]"))).isEqualTo(Truth.UNKNOWN);
    // another element already tells them apart
    assertThat(Json.equal(JSON.createArrayNode().add(Double.NaN).add(1), json("[5, 2]"))).isEqualTo(Truth.FALSE);
    assertThat(Json.equal(JSON.createObjectNode().put("a", Double.NaN), json("{\"a\": 1}"))).isEqualTo(Truth.UNKNOWN);
  }

  @Test
  void nonFiniteNumbersHaveScopeKeysOfTheirOwn() {
    String inf = Json.scopeText(INF);
    String negInf = Json.scopeText(NEG_INF);
    String nan = Json.scopeText(NAN);
    String zero = Json.scopeText(IntNode.valueOf(0));
    assertThat(java.util.Set.of(inf, negInf, nan, zero)).hasSize(4);
    assertThat(Json.scopeText(FloatNode.valueOf(Float.POSITIVE_INFINITY))).isEqualTo(inf);
  }

  @Test
  void numbersKeyByValue() throws Exception {
    assertThat(Json.scopeText(json("7"))).isEqualTo("7");
    assertThat(Json.scopeText(json("7.0"))).isEqualTo("7");
    assertThat(Json.scopeText(json("7e0"))).isEqualTo("7");
    assertThat(Json.scopeText(DecimalNode.valueOf(new BigDecimal("7.000")))).isEqualTo("7");
    assertThat(Json.scopeText(json("0.5"))).isEqualTo("0.5");
    assertThat(Json.scopeText(json("7.5"))).isNotEqualTo(Json.scopeText(json("7")));
  }

  @Test
  void aStringSharesItsKeyWithTheValueItSpells() throws Exception {
    // documented: one budget for both forms, so neither buys more
    assertThat(Json.scopeText(TextNode.valueOf("7"))).isEqualTo(Json.scopeText(json("7")));
    assertThat(Json.scopeText(TextNode.valueOf("true"))).isEqualTo(Json.scopeText(json("true")));
  }

  @Test
  void objectsKeyCanonicallyWhateverTheirKeyOrder() throws Exception {
    String ab = Json.scopeText(json("{\"a\": 1, \"b\": [2.0, {\"d\": 1, \"c\": 2}]}"));
    String ba = Json.scopeText(json("{\"b\": [2, {\"c\": 2, \"d\": 1}], \"a\": 1.0}"));
    assertThat(ab).isEqualTo(ba).isEqualTo("{\"a\":1,\"b\":[2,{\"c\":2,\"d\":1}]}");
    assertThat(Json.scopeText(json("{\"a\": 2}"))).isNotEqualTo(ab);
    assertThat(Json.scopeText(json("[1, 2]"))).isNotEqualTo(Json.scopeText(json("[2, 1]")));
  }

  @Test
  void aLongValueKeysAsADigestNoShortValueCanSpell() {
    String big = " ".repeat(1 << 20);
    String key = Json.scopeText(TextNode.valueOf(big));
    assertThat(key).startsWith(Json.DIGEST_PREFIX).hasSize(Json.DIGEST_PREFIX.length() + 64);
    assertThat(Json.scopeText(TextNode.valueOf(big + " "))).isNotEqualTo(key);
    assertThat(Json.scopeText(TextNode.valueOf("a".repeat(Json.MAX_SCOPE_CHARS)))).isEqualTo("a".repeat(Json.MAX_SCOPE_CHARS));
    // a short value spelling a digest cannot take the digest's key
    assertThat(Json.scopeText(TextNode.valueOf(key))).isEqualTo("#" + key);
    assertThat(Json.scopeText(TextNode.valueOf("#tag"))).isEqualTo("##tag");
    // lone surrogates are not folded into '?'
    String a = "\uD800" + "x".repeat(300);
    String b = "?" + "x".repeat(300);
    assertThat(Json.scopeText(TextNode.valueOf(a))).isNotEqualTo(Json.scopeText(TextNode.valueOf(b)));
  }
}
