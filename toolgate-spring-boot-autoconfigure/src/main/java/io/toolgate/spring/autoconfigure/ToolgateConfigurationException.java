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

  /** {@code property} asks for the inbox or the webhook, but the {@code ApprovalService} is not an {@code ApprovalQueue}. */
  public static ToolgateConfigurationException notAnApprovalQueue(String property) {
    return new ToolgateConfigurationException(
        property + " asks for the approvals inbox or webhook, but the ApprovalService is not an ApprovalQueue they can list, answer and follow.",
        "Remove your ApprovalService bean to use the in-memory queue, or make it an io.toolgate.engine.approval.ApprovalQueue.",
        List.of(), null);
  }

  /** The inbox is on, but neither Spring Security nor a token file can say who an approver is. */
  public static ToolgateConfigurationException noApprovers() {
    return new ToolgateConfigurationException(
        "toolgate.approvals.inbox.enabled is true, but nobody could sign in: there is no Spring Security and no toolgate.approvals.inbox.token-file.",
        "Add Spring Security (the authenticated user is the approver), or set toolgate.approvals.inbox.token-file.",
        List.of(), null);
  }

  /** {@code toolgate.approvals.inbox.token-file} cannot be read or has a bad line. */
  public static ToolgateConfigurationException badTokenFile(String why) {
    return new ToolgateConfigurationException(
        "toolgate.approvals.inbox.token-file cannot be used: " + why,
        "Point toolgate.approvals.inbox.token-file at a readable file of 'sha256:<hex> name' lines "
            + "(printf %s \"$TOKEN\" | sha256sum makes the hex).",
        List.of(), null);
  }

  /** {@code toolgate.approvals.inbox.authority} without Spring Security. */
  public static ToolgateConfigurationException authorityWithoutSecurity() {
    return new ToolgateConfigurationException(
        "toolgate.approvals.inbox.authority is set, but there is no Spring Security to hold authorities.",
        "Add Spring Security, or remove toolgate.approvals.inbox.authority.",
        List.of(), null);
  }

  /**
   * The inbox is on with Spring Security, but neither {@code toolgate.approvals.inbox.authority} nor
   * a token file says who an approver is: every authenticated user, agents included, would be one.
   */
  public static ToolgateConfigurationException noApproverAuthority() {
    return new ToolgateConfigurationException(
        "toolgate.approvals.inbox.enabled is true with Spring Security, but toolgate.approvals.inbox.authority is not set: "
            + "every authenticated user, the agents whose calls wait for approval among them, could approve held calls.",
        "Set toolgate.approvals.inbox.authority to the authority only approvers hold, such as ROLE_APPROVER or "
            + "SCOPE_approvals; or set toolgate.approvals.inbox.token-file to sign approvers in with tokens instead.",
        List.of(), null);
  }

  /**
   * The {@code toolgate} endpoint is exposed with Spring Security, but no authority says who answers
   * approvals through it: every authenticated user, agents included, could.
   */
  public static ToolgateConfigurationException noActuatorApproverAuthority() {
    return new ToolgateConfigurationException(
        "The toolgate actuator endpoint is exposed with Spring Security, but neither toolgate.actuator.approver-authority "
            + "nor toolgate.approvals.inbox.authority is set: every authenticated user, the agents whose calls wait for "
            + "approval among them, could list and approve held calls.",
        "Set toolgate.actuator.approver-authority to the authority only approvers hold, such as ROLE_APPROVER or "
            + "SCOPE_approvals; or define an io.toolgate.spring.autoconfigure.actuator.ActuatorApprover bean; "
            + "or stop exposing the endpoint (management.endpoints.web.exposure.include).",
        List.of(), null);
  }

  /** {@code toolgate.actuator.approver-authority} without Spring Security. */
  public static ToolgateConfigurationException actuatorAuthorityWithoutSecurity() {
    return new ToolgateConfigurationException(
        "toolgate.actuator.approver-authority is set, but there is no Spring Security to hold authorities.",
        "Add Spring Security, or remove toolgate.actuator.approver-authority (then nobody answers approvals through "
            + "the endpoint unless the application defines an ActuatorApprover bean).",
        List.of(), null);
  }

  /** {@code toolgate.approvals.inbox.path} is not a path below the root. */
  public static ToolgateConfigurationException badInboxPath(String path) {
    return new ToolgateConfigurationException(
        "toolgate.approvals.inbox.path=" + path + " is not a path the inbox can be served at.",
        "Set toolgate.approvals.inbox.path to a path below the root such as /approvals/ (letters, digits, "
            + "'.', '_', '~', '-' between slashes; no . or .. segment; not the root itself).",
        List.of(), null);
  }

  /** The webhook has no secret of at least 16 bytes; {@code secretEnv} names the variable that is not set, or is null. */
  public static ToolgateConfigurationException webhookSecret(String secretEnv) {
    return new ToolgateConfigurationException(
        secretEnv != null
            ? "toolgate.approvals.webhook.secret-env names " + secretEnv + ", which is not set."
            : "toolgate.approvals.webhook.url is set, but the webhook has no secret of at least 16 bytes to sign with.",
        "Set toolgate.approvals.webhook.secret-env to the name of an environment variable holding the secret of at "
            + "least 16 bytes (or set toolgate.approvals.webhook.secret); for example: openssl rand -hex 32.",
        List.of(), null);
  }

  /** The webhook has no absolute {@code public-url} for its links. */
  public static ToolgateConfigurationException webhookPublicUrl(String publicUrl) {
    return new ToolgateConfigurationException(
        "toolgate.approvals.webhook.url is set, but toolgate.approvals.webhook.public-url=" + publicUrl
            + " is not the inbox's absolute http(s) URL for the link in each message.",
        "Set toolgate.approvals.webhook.public-url to where people open the inbox, such as https://app.example/approvals.",
        List.of(), null);
  }

  /** {@code toolgate.approvals.webhook.max-attempts} below one. */
  public static ToolgateConfigurationException webhookMaxAttempts(int attempts) {
    return new ToolgateConfigurationException(
        "toolgate.approvals.webhook.max-attempts=" + attempts + " is less than 1.",
        "Set toolgate.approvals.webhook.max-attempts to 1 or more (5 by default).",
        List.of(), null);
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
