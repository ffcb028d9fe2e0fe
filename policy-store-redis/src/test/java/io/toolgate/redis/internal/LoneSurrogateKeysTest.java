package io.toolgate.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CounterRequest;
import io.toolgate.api.CounterRequest.Algorithm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md "Two distinct argument values never share a counter key": a scope value, tool or
 * principal that differs only in a lone UTF-16 surrogate (which {@code getBytes(UTF_8)} turns into
 * {@code ?}) gets its own Redis key; well-formed text keeps the key it had.
 */
class LoneSurrogateKeysTest {
  @Test
  void aLoneSurrogateIsNotAQuestionMark() {
    assertThat(List.of(
        ApprovalKeys.identity("t", "/srv/a?"),
        ApprovalKeys.identity("t", "/srv/a\ud800"),
        ApprovalKeys.identity("t", "/srv/a\udfff"),
        ApprovalKeys.identity("t\ud800", "x"),
        ApprovalKeys.identity("t?", "x"))).doesNotHaveDuplicates();
  }

  @Test
  void counterKeysOfScopesThatDifferInALoneSurrogateDiffer() {
    Keys keys = new Keys("tg:", "t");
    List<String> scopes = List.of("/srv/a?", "/srv/a\ud800", "/srv/a\udfff");
    assertThat(scopes.stream().map(s -> keys.state(request(s))).toList()).doesNotHaveDuplicates();
  }

  @Test
  void wellFormedTextHasItsUtf8Bytes() {
    for (String s : List.of("", "plain", "π", "emoji \ud83d\ude00", "\u202e")) {
      assertThat(LosslessUtf8.bytes(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(LosslessUtf8.bytes("a\ud800b")).containsExactly('a', 0xED, 0xA0, 0x80, 'b');
  }

  private static CounterRequest request(String scope) {
    return new CounterRequest("c", "args.path", scope, 60_000, Algorithm.FIXED, 10_000_000, 1_000_000);
  }
}
