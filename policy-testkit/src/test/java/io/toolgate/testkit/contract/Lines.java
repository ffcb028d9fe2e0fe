package io.toolgate.testkit.contract;

import java.util.Arrays;
import java.util.List;

/** What a line-writing sink wrote, one string per line (each line ends with a line break). */
final class Lines {
  private Lines() {}

  static List<String> of(String text) {
    return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
  }
}
