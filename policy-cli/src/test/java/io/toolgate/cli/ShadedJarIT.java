package io.toolgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The packaged {@code toolgate.jar}: no test framework inside, and it runs. Bound to the
 * integration-test phase (after package) by the module's pom; a missing jar is a failure.
 */
class ShadedJarIT {
  private static final Path JAR = Path.of("target", "toolgate.jar");

  @Test
  void theJarCarriesNoJUnitAndNoQuickTheories() throws IOException {
    assertThat(JAR).as("built by the package phase").isRegularFile();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> names = jar.stream().map(e -> e.getName()).toList();
      assertThat(names).contains("io/toolgate/cli/Main.class", "io/toolgate/scenarios/ScenarioRunner.class",
          "picocli/CommandLine.class", "io/modelcontextprotocol/client/McpSyncClient.class");
      assertThat(names).noneMatch(n -> n.startsWith("org/junit/"))
          .noneMatch(n -> n.startsWith("org/quicktheories/"))
          .noneMatch(n -> n.startsWith("org/opentest4j/"))
          .noneMatch(n -> n.startsWith("org/assertj/"))
          .noneMatch(n -> n.startsWith("io/toolgate/testkit/"));
    }
  }

  @Test
  void theJarRunsTheConformanceScenariosAndPrintsTheCount() throws Exception {
    Path scenarios = Path.of("..", "policy-testkit", "src", "test", "resources", "conformance");
    Process process = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "test", scenarios.toString())
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    String[] lines = output.strip().split("\n");
    assertThat(lines[lines.length - 1]).matches("\\d+ passed, 0 failed");
  }

  @Test
  void theJarPrintsItsVersion() throws Exception {
    Process process = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "--version")
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat(output.strip()).startsWith("toolgate ").doesNotContain("unknown");
  }

  @Test
  void theJarScansAServerWithTheShadedMcpClient() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-jar", JAR.toString(), "scan", "--",
            java, "-cp", System.getProperty("java.class.path"), ScanTestServer.class.getName(), "base")
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).startsWith("# Written by toolgate scan: 10 tools.")
        .endsWith("10 tools (3 read, 1 write, 2 execute, 2 financial, 2 destructive)\n");
  }
}
