package io.toolgate.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.toolgate.engine.PolicyDocuments;
import io.toolgate.scenarios.ScenarioResult.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs conformance scenarios (DESIGN.md section 7): one YAML file per scenario, with a policy, a
 * test clock, and steps that call tools, move the clock and answer approvals. Each scenario runs
 * on a fresh engine with an in-memory counter store and an in-memory approval queue, both on the
 * scenario's clock. A file is bound to records ({@code scenario.schema.json} describes it); an
 * unknown key is an error naming the key. Each decision is bounded in time ({@code step_timeout}, default 2s), so an
 * engine that hangs fails the step instead of stalling the run.
 */
public final class ScenarioRunner {
  /** Where the clock starts when a scenario names no {@code start}. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");
  /** How long one decision may take when a scenario names no {@code step_timeout}. */
  public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(2);

  /** Reads scenario files with the engine's YAML limits. */
  private static final ObjectMapper YAML = PolicyDocuments.yamlMapper();

  private ScenarioRunner() {}

  /** Every scenario file under {@code paths}: files as given, directories searched for *.yaml and *.yml. */
  public static List<Path> discover(Collection<Path> paths) {
    Set<Path> out = new LinkedHashSet<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .forEach(out::add);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list " + path, e);
        }
      } else {
        out.add(path);
      }
    }
    return List.copyOf(out);
  }

  /** Runs every scenario under {@code paths}, in file-name order. */
  public static List<ScenarioResult> runAll(Collection<Path> paths) {
    return runAll(paths, null);
  }

  /**
   * Runs every scenario under {@code paths}, in file-name order, crediting the rules that decide
   * calls to {@code coverage} (which may be {@code null}).
   */
  public static List<ScenarioResult> runAll(Collection<Path> paths, Coverage coverage) {
    return discover(paths).stream().map(file -> run(file, coverage)).collect(Collectors.toList());
  }

  /** Runs one scenario file. Never throws: a file that cannot be read or run is a failed result. */
  public static ScenarioResult run(Path file) {
    return run(file, null);
  }

  /**
   * Runs one scenario file, crediting the rules that decide its calls to {@code coverage} (which
   * may be {@code null}). Never throws: a file that cannot be read or run is a failed result.
   */
  public static ScenarioResult run(Path file, Coverage coverage) {
    String name = file.getFileName().toString();
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return new ScenarioResult(file, name, List.of(new Failure(0, "a readable scenario file", e.getMessage())));
    }
    if (root == null || !root.isObject()) {
      return new ScenarioResult(file, name, List.of(new Failure(0, "a scenario mapping", "" + root)));
    }
    if (root.hasNonNull("name")) {
      name = root.get("name").asText();
    }
    try {
      return new ScenarioResult(file, name, new ScenarioRun(file, root, coverage).execute());
    } catch (ScenarioException e) {
      return new ScenarioResult(file, name, List.of(new Failure(0, "a valid scenario", e.getMessage())));
    }
  }
}
