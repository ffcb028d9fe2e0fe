package io.toolgate.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.PolicyProblem;
import io.toolgate.scenarios.ScenarioResult.Failure;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One scenario's execution for {@link ScenarioRunner}: a fresh {@link TestEngine} on the scenario's
 * clock, then each step in order (calls bounded by the step timeout, clock moves, approvals), the
 * first mismatch ending the scenario.
 */
final class ScenarioRun {
  private final Path file;
  private final JsonNode root;
  private final Coverage coverage;
  private final List<Failure> failures = new ArrayList<>();
  private TestEngine engine;

  ScenarioRun(Path file, JsonNode root, Coverage coverage) {
    this.file = file;
    this.root = root;
    this.coverage = coverage;
  }

  List<Failure> execute() {
    ScenarioFile scenario = ScenarioBinding.bind(root, ScenarioFile.class, "the scenario");
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
    engine = new TestEngine(policy, scenario.start() != null ? ScenarioBinding.instant(scenario.start()) : ScenarioRunner.DEFAULT_START, coverage);
    Duration timeout = scenario.stepTimeout() != null ? ScenarioBinding.duration(scenario.stepTimeout(), "step_timeout") : ScenarioRunner.DEFAULT_STEP_TIMEOUT;
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
      throw new ScenarioException("expect_load_error " + ScenarioBinding.wrongType("expect_load_error"));
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
      engine.clock().advance(ScenarioBinding.duration(ScenarioBinding.bind(step, ScenarioFile.AdvanceStep.class, where).advance(), "advance"));
      return true;
    }
    if (step.has("approve") || step.has("reject")) {
      boolean approve = step.has("approve");
      String key = approve ? "approve" : "reject";
      String value = approve
          ? ScenarioBinding.bind(step, ScenarioFile.ApproveStep.class, where).approve()
          : ScenarioBinding.bind(step, ScenarioFile.RejectStep.class, where).reject();
      if (!"last".equals(value)) {
        throw new ScenarioException(where + ": " + key + " " + ScenarioBinding.wrongType(key));
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
      return call(number, ScenarioBinding.bind(step, ScenarioFile.CallStep.class, where), executor, timeout);
    }
    throw new ScenarioException(where + " has none of call, advance, approve, reject");
  }

  private boolean call(int number, ScenarioFile.CallStep step, ExecutorService executor, Duration timeout) {
    String expect = ScenarioBinding.required(step.expect(), "expect", number).toLowerCase(Locale.ROOT);
    Decision.Kind expectedKind;
    try {
      expectedKind = Decision.Kind.valueOf(expect.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ScenarioException("step " + number + ": expect must be allow, deny, rate_limited or approval_required, not " + expect);
    }
    ToolCall call = ToolCall.of(ScenarioBinding.required(step.call(), "call", number), step.args() == null ? Map.of() : step.args());
    CallContext context = context(step);
    boolean toolFails = Boolean.TRUE.equals(step.toolFails());
    Duration retryAfter = step.retryAfter() != null ? ScenarioBinding.duration(step.retryAfter(), "retry_after") : null;
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

  private static String problems(List<PolicyProblem> problems) {
    return problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("; "));
  }
}
