package io.toolgate.scenarios;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyDocuments;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.PolicyProblem;
import io.toolgate.engine.Windows;
import io.toolgate.scenarios.ScenarioResult.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  /** Binds scenario trees to {@link ScenarioFile}'s records: the engine's JSON limits, unknown keys refused. */
  private static final ObjectMapper BINDER =
      PolicyDocuments.jsonMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  /** Reads scenario files with the engine's YAML limits. */
  private static final ObjectMapper YAML = PolicyDocuments.yamlMapper();
  /** What a key of the wrong type must be, for the keys whose message says more than the type. */
  private static final Map<String, String> WRONG_TYPE = Map.of(
      "steps", "must be a list",
      "expect_load_error", "must be a non-empty list of JSON Pointers",
      "args", "must be a mapping",
      "roles", "must be a list of role names",
      "repeat", "must be a whole number",
      "tool_fails", "must be true or false",
      "approve", "takes only 'last'",
      "reject", "takes only 'last'");

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
      return new ScenarioResult(file, name, new Run(file, root, coverage).execute());
    } catch (ScenarioException e) {
      return new ScenarioResult(file, name, List.of(new Failure(0, "a valid scenario", e.getMessage())));
    }
  }

  /** A scenario file that does not follow the format. */
  private static final class ScenarioException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScenarioException(String message) {
      super(message, null, false, false);
    }
  }

  /** One scenario's execution. */
  private static final class Run {
    private final Path file;
    private final JsonNode root;
    private final Coverage coverage;
    private final List<Failure> failures = new ArrayList<>();
    private TestEngine engine;

    Run(Path file, JsonNode root, Coverage coverage) {
      this.file = file;
      this.root = root;
      this.coverage = coverage;
    }

    List<Failure> execute() {
      ScenarioFile scenario = bind(root, ScenarioFile.class, "the scenario");
      if (scenario.expectLoadError() != null) {
        if (scenario.steps() != null) {
          throw new ScenarioException("a scenario with expect_load_error has no steps");
        }
        checkLoadErrors(scenario);
        return failures;
      }
      PolicySource policy;
      try {
        policy = policy(scenario);
      } catch (PolicyLoadException e) {
        failures.add(new Failure(0, "the policy to load", problems(e.problems())));
        return failures;
      } catch (UncheckedIOException e) {
        failures.add(new Failure(0, "a readable policy_file", e.getMessage()));
        return failures;
      }
      engine = new TestEngine(policy, scenario.start() != null ? instant(scenario.start()) : DEFAULT_START, coverage);
      Duration timeout = scenario.stepTimeout() != null ? duration(scenario.stepTimeout(), "step_timeout") : DEFAULT_STEP_TIMEOUT;
      List<JsonNode> steps = scenario.steps();
      if (steps == null) {
        throw new ScenarioException("steps must be a list");
      }
      ExecutorService executor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "toolgate-scenario");
                t.setDaemon(true);
                return t;
              });
      try {
        for (int i = 0; i < steps.size(); i++) {
          if (!step(i + 1, steps.get(i), executor, timeout)) {
            break;
          }
        }
      } finally {
        executor.shutdownNow();
      }
      return failures;
    }

    private PolicySource policy(ScenarioFile scenario) {
      JsonNode inline = scenario.policy();
      String fileName = scenario.policyFile();
      if ((inline == null) == (fileName == null)) {
        throw new ScenarioException("a scenario has exactly one of policy and policy_file");
      }
      if (fileName != null) {
        return PolicySource.file(file.toAbsolutePath().getParent().resolve(fileName));
      }
      String name = PolicySource.display(file) + " (inline policy)";
      return inline.isTextual() ? PolicySource.text(inline.textValue(), name) : PolicySource.tree(inline, name);
    }

    private void checkLoadErrors(ScenarioFile scenario) {
      List<String> expected = scenario.expectLoadError();
      if (expected.isEmpty()) {
        throw new ScenarioException("expect_load_error " + WRONG_TYPE.get("expect_load_error"));
      }
      List<PolicyProblem> problems;
      try {
        policy(scenario);
        problems = List.of();
      } catch (PolicyLoadException e) {
        problems = e.problems();
      } catch (UncheckedIOException e) {
        failures.add(new Failure(0, "a readable policy_file", e.getMessage()));
        return;
      }
      Set<String> pointers = problems.stream().map(PolicyProblem::pointer).collect(Collectors.toSet());
      List<String> unmatched = expected.stream().filter(pointer -> !pointers.contains(pointer)).toList();
      if (!unmatched.isEmpty()) {
        failures.add(new Failure(0, "load errors at " + unmatched,
            problems.isEmpty() ? "a policy that loaded" : problems(problems)));
      }
    }

    /** Runs one step; false when the scenario cannot go on. */
    private boolean step(int number, JsonNode step, ExecutorService executor, Duration timeout) {
      if (step == null || !step.isObject()) {
        throw new ScenarioException("step " + number + " is not a mapping");
      }
      String where = "step " + number;
      if (step.has("advance")) {
        engine.clock().advance(duration(bind(step, ScenarioFile.AdvanceStep.class, where).advance(), "advance"));
        return true;
      }
      if (step.has("approve") || step.has("reject")) {
        boolean approve = step.has("approve");
        String key = approve ? "approve" : "reject";
        String value = approve
            ? bind(step, ScenarioFile.ApproveStep.class, where).approve()
            : bind(step, ScenarioFile.RejectStep.class, where).reject();
        if (!"last".equals(value)) {
          throw new ScenarioException(where + ": " + key + " " + WRONG_TYPE.get(key));
        }
        if (!engine.hasHeldCall()) {
          failures.add(new Failure(number, "an approval to " + key, "no approval_required decision before it"));
          return false;
        }
        try {
          if (approve) {
            engine.approveLast("scenario");
          } else {
            engine.rejectLast("scenario", "rejected by the scenario");
          }
        } catch (IllegalStateException e) {
          failures.add(new Failure(number, "a pending approval to " + key, e.getMessage()));
          return false;
        }
        return true;
      }
      if (step.has("call")) {
        return call(number, bind(step, ScenarioFile.CallStep.class, where), executor, timeout);
      }
      throw new ScenarioException(where + " has none of call, advance, approve, reject");
    }

    private boolean call(int number, ScenarioFile.CallStep step, ExecutorService executor, Duration timeout) {
      String expect = required(step.expect(), "expect", number).toLowerCase(Locale.ROOT);
      Decision.Kind expectedKind;
      try {
        expectedKind = Decision.Kind.valueOf(expect.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ScenarioException("step " + number + ": expect must be allow, deny, rate_limited or approval_required, not " + expect);
      }
      ToolCall call = ToolCall.of(required(step.call(), "call", number), step.args() == null ? Map.of() : step.args());
      CallContext context = context(step);
      boolean toolFails = Boolean.TRUE.equals(step.toolFails());
      Duration retryAfter = step.retryAfter() != null ? duration(step.retryAfter(), "retry_after") : null;
      String reasonContains = step.reasonContains();
      int repeat = step.repeat() == null ? 1 : step.repeat();
      if (repeat < 1) {
        throw new ScenarioException("step " + number + ": repeat must be at least 1");
      }
      for (int i = 1; i <= repeat; i++) {
        Decision decision;
        try {
          decision = decide(call, context, toolFails, executor, timeout);
        } catch (TimeoutException e) {
          failures.add(new Failure(number, "a decision within " + timeout.toMillis() + "ms", "none (the engine did not answer)"));
          return false;
        }
        String where = repeat > 1 ? " (call " + i + " of " + repeat + ")" : "";
        String problem = mismatch(decision, expectedKind, retryAfter, reasonContains);
        if (problem != null) {
          failures.add(new Failure(number, problem + where, describe(decision)));
          return false;
        }
      }
      return true;
    }

    private Decision decide(ToolCall call, CallContext context, boolean toolFails, ExecutorService executor, Duration timeout)
        throws TimeoutException {
      Future<Decision> future = executor.submit(() -> engine.call(call, context, toolFails));
      try {
        return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TimeoutException("interrupted");
      } catch (ExecutionException e) {
        throw new ScenarioException("the engine threw " + e.getCause());
      }
    }

    private static String mismatch(Decision d, Decision.Kind kind, Duration retryAfter, String reasonContains) {
      if (d.kind() != kind) {
        return kind.name().toLowerCase(Locale.ROOT);
      }
      if (retryAfter != null) {
        if (!(d instanceof Decision.RateLimited limited)) {
          return "retry_after " + retryAfter + " on a rate_limited decision";
        }
        if (!limited.retryAfter().equals(retryAfter)) {
          return "retry_after " + format(retryAfter);
        }
      }
      if (reasonContains != null && (d.reason() == null || !d.reason().contains(reasonContains))) {
        return "a reason containing \"" + reasonContains + "\"";
      }
      return null;
    }

    private static String describe(Decision d) {
      String retry = d instanceof Decision.RateLimited limited ? " retry_after " + format(limited.retryAfter()) : "";
      return d.kind().name().toLowerCase(Locale.ROOT) + retry + " (" + d.reason() + ")";
    }

    private static String format(Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static CallContext context(ScenarioFile.CallStep step) {
      CallContext context = CallContext.of(step.identity());
      if (step.roles() != null) {
        context = context.withRoles(new HashSet<>(step.roles()).toArray(String[]::new));
      }
      if (step.session() != null) {
        context = context.withSession(step.session());
      }
      return context;
    }

    private static String required(String value, String key, int number) {
      if (value == null) {
        throw new ScenarioException("step " + number + " needs " + key);
      }
      return value;
    }

    /**
     * Binds {@code node} to {@code type}; an unknown key or a value of the wrong type is a
     * {@link ScenarioException} that says where ({@code where}) and names the key.
     */
    private static <T> T bind(JsonNode node, Class<T> type, String where) {
      try {
        return BINDER.treeToValue(node, type);
      } catch (UnrecognizedPropertyException e) {
        Set<String> known = new TreeSet<>();
        e.getKnownPropertyIds().forEach(id -> known.add(id.toString()));
        throw new ScenarioException(where + " has an unknown key \"" + e.getPropertyName() + "\"; expected one of " + known);
      } catch (JsonProcessingException e) {
        String key = e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
            ? mapping.getPath().get(0).getFieldName() : null;
        String prefix = "the scenario".equals(where) ? "" : where + ": ";
        String problem = WRONG_TYPE.getOrDefault(key, "has the wrong type: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        throw new ScenarioException(prefix + (key == null ? "" : key + " ") + problem);
      }
    }

    private static Instant instant(String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw new ScenarioException("start must be an ISO-8601 instant like 2026-01-01T10:00:30Z, not " + text);
      }
    }

    private static Duration duration(JsonNode node, String key) {
      return Windows.parse(node).orElseThrow(() -> new ScenarioException(
          key + " must be a number of seconds or a duration like 30s, 5m, 2h, 1d; not " + node));
    }

    private static String problems(List<PolicyProblem> problems) {
      return problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("; "));
    }
  }
}
