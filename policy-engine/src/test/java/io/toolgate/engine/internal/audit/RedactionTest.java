package io.toolgate.engine.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RedactionTest {
  private final Redaction redaction = Redaction.withExtraFragments(List.of());

  @Test
  void aDefaultWordHidesOnlyAsAWholeWord() {
    assertThat(redaction.isSecret("x-auth")).isTrue();
    assertThat(redaction.isSecret("xAuth")).isTrue();
    assertThat(redaction.isSecret("AUTH")).isTrue();
    assertThat(redaction.isSecret("my_pwd")).isTrue();
    assertThat(redaction.isSecret("Bearer")).isTrue();
    assertThat(redaction.isSecret("authé")).as("non-ASCII letters separate words").isTrue();
    assertThat(redaction.isSecret("author")).isFalse();
    assertThat(redaction.isSecret("authority")).isFalse();
    assertThat(redaction.isSecret("AUTHor")).isFalse();
    assertThat(redaction.isSecret("-".repeat(100_000) + "x")).isFalse();
  }

  /** The split that the word check replaced, a backtracking regex, as the reference. */
  private static final Pattern OLD_WORD_BREAK = Pattern.compile("[^\\p{Alnum}]+|(?<=\\p{Ll})(?=\\p{Lu})");

  private static boolean oldHasWord(String key) {
    for (String word : OLD_WORD_BREAK.split(key)) {
      if (Redaction.DEFAULT_WORDS.contains(word.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theWordCheckAgreesWithTheRegexItReplaced() {
    String alphabet = "aAuUtThHpPwWdDbBeErR1_- éÉß";
    Random random = new Random(42);
    Redaction none = Redaction.withExtraFragments(List.of());
    for (int n = 0; n < 50_000; n++) {
      StringBuilder key = new StringBuilder();
      int length = random.nextInt(12);
      for (int i = 0; i < length; i++) {
        key.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String k = key.toString();
      boolean byFragment = false;
      for (String fragment : Redaction.DEFAULT_FRAGMENTS) {
        byFragment |= k.replaceAll("[^\\p{L}\\p{N}]", "").toLowerCase(Locale.ROOT).contains(fragment);
      }
      if (!byFragment) {
        assertThat(none.isSecret(k)).as("key %s", k).isEqualTo(oldHasWord(k));
      }
    }
  }
}
