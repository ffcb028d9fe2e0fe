package io.toolgate.cli;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11's "done when": {@code validate} on each hostile policy file gives located problems and
 * exits 1, with a 256 MB heap, without a stack trace. Each runs in its own JVM, as a user runs the
 * CLI; the files are the engine's hostile test resources.
 */
class ValidateHostileTest {
  private static final Path HOSTILE =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
          .resolve("../policy-engine/src/test/resources/hostile")
          .normalize();

  /** Runs {@code validate file} in a fresh JVM; returns its exit code and everything it printed. */
  private static Result validate(Path file) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            Main.class.getName(), "validate", file.toString())
        .redirectErrorStream(true)
        .start();
    // The output is small; read it to the end (which also waits for the process to close it).
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, SECONDS)).as("validate %s finished", file).isTrue();
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private record Result(int exit, String output) {}

  private static void assertRefusedWithoutStackTrace(Result result, String... located) {
    assertThat(result.exit()).as(result.output()).isEqualTo(1);
    assertThat(result.output()).contains(located);
    assertThat(result.output()).doesNotContain("Exception").doesNotContain("Error:");
    assertThat(result.output().lines()).noneMatch(line -> line.stripLeading().startsWith("at "));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "alias.yaml                | /tools/deploy/conditions/0/value (line 7, col 42): YAML alias *prod",
      "number-out-of-range.json  | /tools/transfer/arguments/properties/amount/minimum (line 5, col 94): the number -1e999",
      "not-utf8.yaml             | (document) (line 2, col 18): byte 0xe9 at offset 30 is not UTF-8",
      "regex-too-large.yaml      | /tools/search/conditions/0/value (line 10, col 42): \"((a{1000}){1000}){1000}\" is too large",
      "ref-loop.json             | /tools/self/arguments (line 4, col 27): the schema refers to itself",
  })
  void eachHostileFileIsRefusedWithItsLocation(String name, String located) throws Exception {
    Path file = HOSTILE.resolve(name);
    assertThat(file).exists();
    assertRefusedWithoutStackTrace(validate(file), file + ": " + located);
  }

  @Test
  void aFileOverTheSizeLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
    Path large = dir.resolve("large.yaml");
    Files.write(large, List.of("version: '1'", "description: '" + "x".repeat(8 << 20) + "'"));
    assertRefusedWithoutStackTrace(validate(large), large + ": (document): the policy is " + Files.size(large) + " bytes;"
        + " a policy may be at most 1048576 bytes (1 MiB)");
  }
}
