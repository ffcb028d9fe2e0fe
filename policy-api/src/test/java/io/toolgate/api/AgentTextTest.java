package io.toolgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentTextTest {

  @Test
  void shortCleanTextIsReturnedAsItIs() {
    String text = "create_compile";
    assertThat(AgentText.excerpt(text)).isSameAs(text);
    assertThat(AgentText.excerpt(null)).isNull();
    assertThat(AgentText.excerpt("")).isEmpty();
  }

  @Test
  void longTextIsCutWithACountOfWhatWasCut() {
    String text = "x".repeat(100_000);
    String excerpt = AgentText.excerpt(text);
    assertThat(excerpt).isEqualTo("x".repeat(AgentText.MAX_CHARS) + "…(+" + (100_000 - AgentText.MAX_CHARS) + " chars)");
  }

  @Test
  void controlFormatAndLineSeparatorCharactersBecomeQuestionMarks() {
    assertThat(AgentText.excerpt("a\nb\r\tc\u0000d\u2028e\u2029f\u202eg\u200bh\u0085i"))
        .isEqualTo("a?b??c?d?e?f?g?h?i");
  }

  @Test
  void nonAsciiLettersAndEmojiStay() {
    assertThat(AgentText.excerpt("créer_compilé 🚀 Ωmega")).isEqualTo("créer_compilé 🚀 Ωmega");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String text = "a".repeat(9) + "🚀" + "b".repeat(10);
    String excerpt = AgentText.excerpt(text, 10);
    assertThat(excerpt).startsWith("a".repeat(9) + "…");
    assertThat(excerpt).endsWith("(+12 chars)");
  }

  @Test
  void theLimitMustBePositive() {
    assertThatThrownBy(() -> AgentText.excerpt("x", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
