package io.toolgate.testkit.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the conformance scenarios with the same runner as {@code toolgate test}: the project's own
 * copy (src/test/resources/conformance) and the shared contract's samples beside the repository
 * ({@code ../shared/conformance}), which CI must have.
 */
class ConformanceTest {
  private static final Path OWN = Path.of("src/test/resources/conformance");
  private static final Path SHARED = Path.of("../../shared/conformance");

  @TestFactory
  Stream<DynamicTest> ownScenarios() {
    return scenarios(OWN);
  }

  @TestFactory
  Stream<DynamicTest> sharedScenarios() {
    if (!Files.isDirectory(SHARED)) {
      assertThat(System.getenv("CI")).as("CI must run the shared conformance scenarios at " + SHARED.toAbsolutePath()).isNull();
      return Stream.empty();
    }
    return scenarios(SHARED);
  }

  private static Stream<DynamicTest> scenarios(Path dir) {
    return Scenarios.in(dir).dynamicTests();
  }
}
