package io.toolgate.spring.autoconfigure;

import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.PolicyProblem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code toolgate.*} configuration cannot start an engine: no policy, a policy that is missing
 * or fails to load, or a setting that cannot be met. Startup fails with it, and {@link
 * ToolgateFailureAnalyzer} reports its {@link #description()} and {@link #action()} instead of a
 * stack trace.
 */
public class ToolgateConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String description;
  private final String action;
  private final transient List<PolicyProblem> problems;

  private ToolgateConfigurationException(String description, String action, List<PolicyProblem> problems, Throwable cause) {
    super(description, cause);
    this.description = description;
    this.action = action;
    this.problems = List.copyOf(problems);
  }

  /** {@code toolgate.policy} is not set and the application defines no {@code Policy} bean. */
  public static ToolgateConfigurationException noPolicy() {
    return new ToolgateConfigurationException(
        "No Toolgate policy: toolgate.policy is not set.",
        "Set toolgate.policy to your policy file, for example toolgate.policy=classpath:policy.yaml "
            + "or toolgate.policy=file:/etc/toolgate/policy.yaml, or define a bean of type io.toolgate.engine.Policy.",
        List.of(), null);
  }

  /** The resource {@code toolgate.policy} names does not exist. */
  public static ToolgateConfigurationException missing(String location) {
    return new ToolgateConfigurationException(
        "The Toolgate policy toolgate.policy=" + location + " does not exist.",
        "Check toolgate.policy: a classpath: location must be on the class path (src/main/resources), "
            + "a file: location must name an existing file.",
        List.of(), null);
  }

  /** The resource {@code toolgate.policy} names cannot be read. */
  public static ToolgateConfigurationException unreadable(String location, Exception cause) {
    return new ToolgateConfigurationException(
        "The Toolgate policy toolgate.policy=" + location + " cannot be read: " + cause.getMessage(),
        "Make the policy readable by the application, or point toolgate.policy at a readable copy.",
        List.of(), cause);
  }

  /**
   * The policy was read but has problems; every one is listed with its location. {@code location}
   * is what {@code toolgate.policy} named, or {@code null} for a policy loaded otherwise.
   */
  public static ToolgateConfigurationException invalid(String location, PolicyLoadException cause) {
    List<PolicyProblem> problems = cause.problems();
    return new ToolgateConfigurationException(
        (location == null ? "The Toolgate policy" : "The Toolgate policy toolgate.policy=" + location)
            + " has " + problems.size()
            + (problems.size() == 1 ? " problem" : " problems") + ":\n"
            + problems.stream().map(p -> "    " + p).collect(Collectors.joining("\n")),
        "Fix the policy at the lines above; `java -jar toolgate.jar validate <file>` checks a policy "
            + "without starting the application.",
        problems, cause);
  }

  /** {@code toolgate.watch=true} for a policy that is not a file. */
  public static ToolgateConfigurationException notWatchable(String location) {
    return new ToolgateConfigurationException(
        "toolgate.watch is true, but the Toolgate policy toolgate.policy=" + location + " is not a file that can be watched.",
        "Point toolgate.policy at a file (file:/etc/toolgate/policy.yaml) to reload it on change, "
            + "or set toolgate.watch=false and reload through the toolgate actuator endpoint.",
        List.of(), null);
  }

  /** {@code toolgate.store=redis} without policy-store-redis, a URI or a client. */
  public static ToolgateConfigurationException redisUnavailable(String why) {
    return new ToolgateConfigurationException(
        "toolgate.store is redis, but " + why + ".",
        "Add io.toolgate:policy-store-redis and set toolgate.redis.uri (redis://host:6379) or define a "
            + "Lettuce RedisClient bean; or set toolgate.store=memory.",
        List.of(), null);
  }

  /** The approvals inbox or webhook ({@code toolgate.approvals.inbox.*}, {@code toolgate.approvals.webhook.*}) cannot be set up. */
  public static ToolgateConfigurationException approvals(String description, String action) {
    return new ToolgateConfigurationException(description, action, List.of(), null);
  }

  /** What is wrong, for the failure analysis. */
  public String description() {
    return description;
  }

  /** What to do about it, for the failure analysis. */
  public String action() {
    return action;
  }

  /** The policy's load problems, located; empty when the failure is not about the policy's content. */
  public List<PolicyProblem> problems() {
    return problems;
  }
}
