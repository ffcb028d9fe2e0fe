package io.toolgate.engine.internal.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The estimate of a regex's program size: counted repetitions multiply, everything else is read past. */
class RegexSizeTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "((a{1000}){1000}){1000}",
      "(a{1000}){100}",
      "(a{100}){100}",
      "(?P<name>a{100}){100}",
      "(?i:ab{100}){100}",
      "(x|y{1000}|z){11}",
      "([a-z]{10}\\d{10}){500}",
      "(\\p{Greek}{100}){100}",
      "(a{100}?){100}",
      "(a{10,}){1000}",
      "(?:(?:a{10}){10}){101}",
  })
  void nestedCountsMultiplyPastTheLimit(String regex) {
    assertThat(RegexSize.estimate(regex)).as(regex).isGreaterThan(RegexSize.MAX);
    assertThat(RegexSize.problem(regex)).as(regex).contains("is too large to run");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "^[a-z]{1,64}$",
      "\\d{1,1000}",
      "(a{1000})",
      "(?i)(ab{10}){10}",
      "\\Q(a{1000}){1000}\\E",
      "a\\{1000\\}{5}",
      "[{]{1000}",
      "[[:alpha:]{]{100}",
      "x{,1000}",
      "(a|b|c){300}",
  })
  void commonRegexesAndBracesThatAreNotCountsFit(String regex) {
    assertThat(RegexSize.problem(regex)).as(regex).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "abc; 3",
      "a{5}; 6",
      "(a{10}){10}; 121",
      "(?:ab|cd){3,7}; 46",
      "[a-c]{2}x*y+z?; 9",
  })
  void theEstimateCountsEveryCopyARepetitionCompilesTo(String regex, long size) {
    Pattern.compile(regex); // well-formed RE2
    assertThat(RegexSize.estimate(regex)).as(regex).isEqualTo(size);
  }
}
